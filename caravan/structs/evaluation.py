"""Evaluation: the unit of scheduler work, and where placement failures are recorded."""

from __future__ import annotations

from caravan.structs.alloc import AllocMetric
from caravan.structs.base import Struct

EVAL_STATUSES = ("pending", "blocked", "complete", "failed", "canceled")


class Evaluation(Struct):
    id: str = ""
    namespace: str = "default"
    priority: int = 50
    type: str = "service"
    triggered_by: str = ""
    job_id: str = ""
    job_modify_index: int = 0
    node_id: str = ""
    node_modify_index: int = 0
    deployment_id: str = ""
    status: str = "pending"
    status_description: str = ""
    wait: int = 0
    wait_until: str = "0001-01-01T00:00:00Z"
    next_eval: str = ""
    previous_eval: str = ""
    blocked_eval: str = ""
    related_evals: list[dict[str, object]] | None = None
    failed_tg_allocs: dict[str, AllocMetric] | None = None
    class_eligibility: dict[str, bool] | None = None
    escaped_computed_class: bool = False
    quota_limit_reached: str = ""
    queued_allocations: dict[str, int] | None = None
    snapshot_index: int = 0
    create_index: int = 0
    modify_index: int = 0
    create_time: int = 0
    modify_time: int = 0

    def terminal(self) -> bool:
        return self.status in ("complete", "failed", "canceled")
