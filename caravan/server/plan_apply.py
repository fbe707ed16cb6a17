"""The single writer of scheduler results: re-check a plan against fresh state, then apply.

A plan was computed from a snapshot; by the time it arrives other plans may have
used the same capacity. Every node that receives allocations is checked again
here (ready, and cpu/memory still fit); placements on a node that no longer fits
are dropped and the evaluation is handed back for another pass, so no node is
ever over-committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from caravan.clock import Clock
from caravan.server.scheduler.cores import collide
from caravan.server.scheduler.interfaces import Plan, SchedulerResult
from caravan.server.services import sync_registrations
from caravan.server.state import StateStore
from caravan.structs import Allocation, Evaluation, Node

log = logging.getLogger(__name__)


@dataclass
class ApplyOutcome:
    index: int
    rejected_nodes: list[str] = field(default_factory=list)

    @property
    def needs_retry(self) -> bool:
        return bool(self.rejected_nodes)


class PlanApplier:
    def __init__(self, store: StateStore, clock: Clock,
                 on_blocked: Callable[[Evaluation], None],
                 on_followup: Callable[[Evaluation], None],
                 on_capacity_freed: Callable[[], None]) -> None:
        self._store = store
        self._clock = clock
        self._on_blocked = on_blocked
        self._on_followup = on_followup
        self._on_capacity_freed = on_capacity_freed

    def apply(self, result: SchedulerResult) -> ApplyOutcome:
        plan = result.plan
        rejected = [n for n, allocs in plan.node_allocation.items()
                    if not self._fits(n, allocs, plan)]
        txn = self._store.begin(self._clock.now_ns())
        stops = [a for allocs in plan.node_update.values() for a in allocs]
        txn.allocs.extend(stops)
        for stop in stops:  # a lost allocation's client will not report it gone
            txn.services.update(sync_registrations(self._store.services.by_alloc(stop.id),
                                                   stop, None))
        for node_id, allocs in plan.node_allocation.items():
            if node_id in rejected:
                # In-place updates of existing allocs still apply; only new placements wait.
                txn.allocs.extend(a for a in allocs if self._store.alloc(a.id) is not None)
            else:
                txn.allocs.extend(allocs)
        if plan.deployment is not None:
            txn.deployments.append(plan.deployment)
        txn.deployments.extend(plan.deployment_updates)
        eval_update = result.eval_update
        txn.evals.append(eval_update)
        if result.blocked_eval is not None and not rejected:
            txn.evals.append(result.blocked_eval)
        txn.evals.extend(result.followup_evals)
        index = self._store.commit(txn)
        # Capacity first: this plan's own blocked eval must not be woken by its own stops.
        if stops:
            self._on_capacity_freed()
        if result.blocked_eval is not None and not rejected:
            self._on_blocked(result.blocked_eval)
        for followup in result.followup_evals:
            self._on_followup(followup)
        if rejected:
            log.info("plan for eval %s: nodes %s no longer fit; evaluating again",
                     plan.eval_id, rejected)
        return ApplyOutcome(index=index, rejected_nodes=rejected)

    def _fits(self, node_id: str, allocs: list[Allocation], plan: Plan) -> bool:
        """Whether the new placements on `node_id` still fit the latest state.

        Fitting means cpu and memory within the node's capacity, no core ID held by
        two allocations (tasks asking `cores` own theirs exclusively), and no host port
        held twice (two evaluations may each have picked the same free port). Entries for
        existing allocs (in-place job updates, follow-up marks on failed allocs) need
        no capacity and may name a node that has since gone down.
        """
        new = [a for a in allocs if self._store.alloc(a.id) is None]
        if not new:
            return True
        node = self._store.node(node_id)
        if node is None or node.status != "ready":
            return False
        stopping = {a.id for a in plan.node_update.get(node_id, [])}
        updated = {a.id: a for a in allocs}
        kept = [updated.get(existing.id, existing)
                for existing in self._store.allocs_by_node(node_id)
                if existing.id not in stopping]
        holding = [a for a in kept if not a.terminal()] + new
        cpu = sum(a.allocated_resources.totals()[0] for a in holding)
        mem = sum(a.allocated_resources.totals()[1] for a in holding)
        cpu_cap, mem_cap = capacity(node)
        return (cpu <= cpu_cap and mem <= mem_cap and not collide(holding)
                and not _ports_collide(holding))


def _ports_collide(allocs: list[Allocation]) -> bool:
    held = [port for a in allocs for port in a.allocated_resources.host_ports()]
    return len(held) != len(set(held))


def capacity(node: Node) -> tuple[int, int]:
    """(cpu MHz, memory MB) a node offers to allocations; whole cores count as their MHz."""
    res, reserved = node.node_resources, node.reserved_resources
    return (res.cpu.cpu_shares - reserved.cpu.cpu_shares,
            res.memory.memory_mb - reserved.memory.memory_mb)
