"""Node drain vocabulary with Nomad's JSON names: a node's `DrainStrategy` (the operator's
`DrainSpec` plus when it started and when it is forced), its `LastDrain` record, and a
group's `migrate` block (`MigrateStrategy`), which paces how a drained node's allocations
move.

    drain set ─▶ LastDrain "draining" ─┬─ every allocation moved ─▶ "complete"
                                       └─ drain unset by an operator ─▶ "canceled"

`Deadline` is in nanoseconds: negative forces every allocation off at once, zero means
no deadline, positive stops what is left when it passes (`ForceDeadline`).
"""

from __future__ import annotations

from pydantic import Field

from caravan.structs.acl import parse_rfc3339_ns
from caravan.structs.base import Struct

_S = 1_000_000_000
ZERO_TIME = "0001-01-01T00:00:00Z"
DRAIN_DRAINING, DRAIN_COMPLETE, DRAIN_CANCELED = "draining", "complete", "canceled"


class DrainSpec(Struct):
    deadline: int = 0
    ignore_system_jobs: bool = False


class DrainStrategy(DrainSpec):
    force_deadline: str = ZERO_TIME   # StartedAt + Deadline; zero time without a deadline
    started_at: str = ZERO_TIME

    def forced(self, now_ns: int) -> bool:
        """The deadline has passed: what is left on the node is stopped at once."""
        force = parse_rfc3339_ns(self.force_deadline)
        return force > 0 and now_ns >= force


class DrainMetadata(Struct):
    started_at: str = ZERO_TIME
    updated_at: str = ZERO_TIME
    status: str = ""
    accessor_id: str = ""
    meta: dict[str, str] | None = None


class NodeDrainRequest(Struct):
    """The body of `/v1/node/<id>/drain` (Nomad's api.NodeUpdateDrainRequest)."""

    node_id: str = ""
    drain_spec: DrainSpec | None = None
    mark_eligible: bool = False
    meta: dict[str, str] | None = None


class NodeDrainUpdateResponse(Struct):
    node_modify_index: int = 0
    eval_ids: list[str] | None = Field(None, alias="EvalIDs")
    eval_create_index: int = 0
    index: int = 0


class MigrateStrategy(Struct):
    """`migrate { ... }`; unset fields are None so a group's block merges over the job's."""

    max_parallel: int | None = None
    health_check: str | None = None
    min_healthy_time: int | None = None
    healthy_deadline: int | None = None


# Nomad's DefaultMigrateStrategy.
DEFAULT_MIGRATE = MigrateStrategy(max_parallel=1, health_check="checks",
                                  min_healthy_time=10 * _S, healthy_deadline=300 * _S)
MIGRATE_HEALTH_CHECKS = ("checks", "task_states")
