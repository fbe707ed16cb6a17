"""The drainer: the leader's loop that moves draining nodes' allocations on (the rules
are `plan.py`'s) and marks finished drains complete.

It wakes on any change to nodes or allocations, and at least once a second for the
deadlines; a pass that changes nothing writes nothing, so its own writes settle. Each
pass is one write: the allocations marked for migration, one "node-drain" evaluation per
job they belong to, and the nodes whose drain is complete. Owned by the server's
supervisor: `run()` ends only by cancellation.
"""

from __future__ import annotations

import logging

from caravan.server.change_loop import run_on_changes
from caravan.server.core import ServerCore
from caravan.server.drain.plan import DrainStep, plan_drain
from caravan.structs import Node
from caravan.structs.acl import rfc3339_nano
from caravan.structs.drain import DRAIN_COMPLETE

log = logging.getLogger(__name__)

_TABLES = ("allocs", "nodes")
_DEADLINE_TICK_S = 1.0
TRIGGER = "node-drain"


class Drainer:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    async def run(self) -> None:
        await run_on_changes(self._core.store, _TABLES, _DEADLINE_TICK_S, self.advance,
                             "drainer")

    def advance(self) -> None:
        """One pass over every draining node."""
        store = self._core.store
        draining = [n for n in store.nodes() if n.drain_strategy is not None]
        if not draining:
            return
        step = plan_drain(draining, store.allocs_by_node, store.job, store.allocs_by_job,
                          self._core.clock.now_ns())
        if step.migrate or step.complete:
            self._write(step)

    def _write(self, step: DrainStep) -> None:
        core = self._core
        txn = core.begin()
        now = core.clock.now_ns()
        jobs: dict[tuple[str, str], None] = {}
        for alloc in step.migrate:
            transition = alloc.desired_transition.model_copy(update={"migrate": True})
            txn.allocs.append(alloc.model_copy(update={
                "desired_transition": transition, "modify_time": now}))
            jobs[(alloc.namespace, alloc.job_id)] = None
        for namespace, job_id in jobs:
            job = core.store.job(namespace, job_id)
            if job is not None:
                core.cancel_blocked(namespace, job_id, txn)
                txn.evals.append(core.new_eval(job, TRIGGER))
        txn.nodes += [_complete(node, now) for node in step.complete]
        core.commit_and_enqueue(txn)
        for node in step.complete:
            log.info("drain of node %s complete", node.id)


def _complete(node: Node, now: int) -> Node:
    """The drain is done: the strategy goes, the node stays ineligible (Nomad's rule)."""
    last = node.last_drain
    if last is not None:
        last = last.model_copy(update={"status": DRAIN_COMPLETE,
                                       "updated_at": rfc3339_nano(now)})
    return node.model_copy(update={"drain_strategy": None, "drain": False,
                                   "last_drain": last})
