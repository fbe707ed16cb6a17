"""`GET /v1/job/<id>/scale`: how far each group is from the count it asks for."""

from __future__ import annotations

from pydantic import Field

from caravan.structs.base import Struct


class TaskGroupScaleStatus(Struct):
    desired: int = 0
    placed: int = 0
    running: int = 0
    healthy: int = 0
    unhealthy: int = 0
    events: list[dict[str, object]] | None = None


class JobScaleStatus(Struct):
    job_id: str = ""
    namespace: str = ""
    job_create_index: int = 0
    job_modify_index: int = 0
    job_stopped: bool = False
    task_groups: dict[str, TaskGroupScaleStatus] = Field(default_factory=dict)
