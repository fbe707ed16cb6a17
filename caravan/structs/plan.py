"""`PUT /v1/job/<id>/plan`: what registering a job would do, without doing it."""

from __future__ import annotations

from pydantic import Field

from caravan.structs.alloc import AllocMetric
from caravan.structs.base import Struct
from caravan.structs.diff import JobDiff
from caravan.structs.job import Job

ZERO_TIME = "0001-01-01T00:00:00Z"


class JobPlanRequest(Struct):
    job: Job | None = None
    diff: bool = False
    policy_override: bool = False
    # Nomad's WriteRequest, embedded (as in JobRegisterRequest)
    region: str = ""
    namespace: str = ""
    secret_id: str = ""


class DesiredUpdates(Struct):
    ignore: int = 0
    place: int = 0
    migrate: int = 0
    stop: int = 0
    in_place_update: int = 0
    destructive_update: int = 0
    canary: int = 0
    preemptions: int = 0


class PlanAnnotations(Struct):
    desired_tg_updates: dict[str, DesiredUpdates] = Field(default_factory=dict)
    preempted_allocs: list[dict[str, object]] | None = None


class JobPlanResponse(Struct):
    annotations: PlanAnnotations = Field(default_factory=PlanAnnotations)
    failed_tg_allocs: dict[str, AllocMetric] | None = None
    job_modify_index: int = 0
    created_evals: list[dict[str, object]] | None = None
    diff: JobDiff | None = None
    next_periodic_launch: str = ZERO_TIME
    warnings: str = ""
    index: int = 0
