"""The scheduler's contract: the read-only state it sees and the plan and result it returns.

    eval ──▶ schedule(eval, state, new_id, clock) ──▶ SchedulerResult
                        │ reads only              ├─ plan  (plan_apply re-checks, writes)
                        ▼                         ├─ eval_update    (this eval, finished)
                 SchedulerState (a snapshot)      ├─ blocked_eval   (waits for capacity)
                                                  └─ followup_evals (delayed reschedules)

How `plan_apply` should read a plan:

* `node_update[node]` holds copies of existing allocations to stop: `desired_status`
  "stop", a `desired_description`, and `client_status` "lost" for allocations on a
  down node. They free their resources on that node. A stopped allocation that was
  replaced carries `next_allocation`.
* `node_allocation[node]` holds new allocations (their ID is not in the state yet,
  `client_status` "pending") and updates of existing allocations (same ID): in-place
  job updates, and annotations of failed allocations with `followup_eval_id`. An
  update never asks for more resources than the allocation already holds, so only
  new allocations need the capacity and node-readiness check; an annotation may sit
  on a node that is no longer ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from caravan.structs import Allocation, Deployment, Evaluation, Job, Node
from caravan.structs.operator import SchedulerConfiguration


class SchedulerState(Protocol):
    """A consistent, read-only snapshot of the state store taken at `index`."""

    @property
    def index(self) -> int: ...

    def nodes(self) -> Iterable[Node]:
        """Every node, in any status."""
        ...

    def node(self, node_id: str) -> Node | None: ...

    def job(self, namespace: str, job_id: str) -> Job | None:
        """The latest version of the job; it may have `stop=True`."""
        ...

    def allocs_by_job(self, namespace: str, job_id: str) -> list[Allocation]:
        """Every allocation of the job, terminal ones too; `alloc.job` is the version it was
        placed with."""
        ...

    def allocs_by_node(self, node_id: str) -> list[Allocation]:
        """Every allocation on the node, terminal ones too."""
        ...

    def latest_deployment(self, namespace: str, job_id: str) -> Deployment | None:
        """The job's newest deployment, in any status."""
        ...

    def scheduler_config(self) -> SchedulerConfiguration:
        """The operator's scheduler configuration (Nomad's defaults until one is set)."""
        ...


@dataclass
class Plan:
    """What one evaluation wants changed: stops per node and placements/updates per node."""

    eval_id: str
    priority: int
    job: Job | None
    node_update: dict[str, list[Allocation]] = field(default_factory=dict)
    node_allocation: dict[str, list[Allocation]] = field(default_factory=dict)
    snapshot_index: int = 0
    deployment: Deployment | None = None
    """A deployment this plan creates or changes (placed counts, canaries)."""
    deployment_updates: list[Deployment] = field(default_factory=list)
    """Other deployments of the job whose status changes (cancelled by a newer version)."""

    def append_stop(self, alloc: Allocation, desc: str, client_status: str | None = None,
                    *, now: int = 0) -> Allocation:
        """Stage a stop of `alloc` (left untouched); returns the staged copy."""
        update: dict[str, object] = {"desired_status": "stop", "desired_description": desc}
        if client_status is not None:
            update["client_status"] = client_status
        if now:
            update["modify_time"] = now
        stopped = alloc.model_copy(update=update)
        self.node_update.setdefault(alloc.node_id, []).append(stopped)
        return stopped

    def pop_stop(self, alloc: Allocation) -> None:
        """Back out a staged stop of `alloc` (when its replacement could not be placed)."""
        staged = self.node_update.get(alloc.node_id, [])
        self.node_update[alloc.node_id] = [a for a in staged if a.id != alloc.id]
        if not self.node_update[alloc.node_id]:
            del self.node_update[alloc.node_id]

    def append_alloc(self, alloc: Allocation) -> None:
        self.node_allocation.setdefault(alloc.node_id, []).append(alloc)

    def is_noop(self) -> bool:
        return (not any(self.node_update.values()) and not any(self.node_allocation.values())
                and self.deployment is None and not self.deployment_updates)

    def placements(self) -> list[Allocation]:
        """New and updated allocations, in node order."""
        return [a for allocs in self.node_allocation.values() for a in allocs]

    def stops(self) -> list[Allocation]:
        return [a for allocs in self.node_update.values() for a in allocs]


@dataclass
class SchedulerResult:
    plan: Plan
    eval_update: Evaluation
    """A copy of the input eval: status, status_description, failed_tg_allocs,
    queued_allocations, blocked_eval and snapshot_index set."""
    blocked_eval: Evaluation | None = None
    """A new "blocked" eval (triggered_by "queued-allocs") when placements failed."""
    followup_evals: list[Evaluation] = field(default_factory=list)
    """Delayed reschedules: "pending" evals with `wait_until` in the future."""
