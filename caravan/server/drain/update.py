"""The operator's drain writes (`/v1/node/<id>/drain`): set a node's drain strategy or
unset it, as Nomad's `Node.UpdateDrain` does."""

from __future__ import annotations

from caravan.errors import NotFound
from caravan.server.core import ServerCore
from caravan.server.node_eligibility import ELIGIBLE, INELIGIBLE
from caravan.structs import Node
from caravan.structs.acl import rfc3339_nano
from caravan.structs.drain import (
    DRAIN_CANCELED,
    DRAIN_DRAINING,
    DrainMetadata,
    DrainSpec,
    DrainStrategy,
)


def update_drain(core: ServerCore, node_id: str, spec: DrainSpec | None, *,
                 mark_eligible: bool, meta: dict[str, str] | None,
                 accessor_id: str = "") -> tuple[list[str], int]:
    """Start (spec given) or cancel (None) a node's drain; (eval IDs, index of the write).

    Starting makes the node ineligible; cancelling makes it eligible again only with
    `mark_eligible`, and then system jobs get a pass, as when a node joins."""
    node = core.store.node(node_id)
    if node is None:
        raise NotFound("node not found")
    now = core.clock.now_ns()
    if spec is None:
        changed = _cancelled(node, now, mark_eligible, meta)
    else:
        changed = _started(node, spec, now, meta, accessor_id)
    txn = core.begin()
    txn.nodes.append(changed)
    if changed.scheduling_eligibility == ELIGIBLE and node.scheduling_eligibility != ELIGIBLE:
        txn.evals.extend(core.new_eval(job, "node-update", node_id=node.id)
                         for job in core.store.jobs("*")
                         if job.type in ("system", "sysbatch") and not job.stop)
    index = core.commit_and_enqueue(txn)
    if txn.evals:
        core.unblock()
    return [ev.id for ev in txn.evals], index


def _started(node: Node, spec: DrainSpec, now: int, meta: dict[str, str] | None,
             accessor_id: str) -> Node:
    if spec.deadline < 0:
        force = now            # -force: everything goes at once
    elif spec.deadline > 0:
        force = now + spec.deadline
    else:
        force = 0              # -no-deadline
    started = rfc3339_nano(now)
    if node.drain_strategy is not None:
        started = node.drain_strategy.started_at   # an update keeps the drain's start
    strategy = DrainStrategy(deadline=spec.deadline,
                             ignore_system_jobs=spec.ignore_system_jobs,
                             force_deadline=rfc3339_nano(force) if force else
                             DrainStrategy().force_deadline, started_at=started)
    last = node.last_drain
    if last is None or last.status != DRAIN_DRAINING:
        last = DrainMetadata(started_at=rfc3339_nano(now), status=DRAIN_DRAINING,
                             accessor_id=accessor_id)
    last = last.model_copy(update={"updated_at": rfc3339_nano(now), "meta": meta or None})
    return node.model_copy(update={"drain_strategy": strategy, "drain": True,
                                   "scheduling_eligibility": INELIGIBLE, "last_drain": last})


def _cancelled(node: Node, now: int, mark_eligible: bool,
               meta: dict[str, str] | None) -> Node:
    last = node.last_drain
    if last is not None and last.status == DRAIN_DRAINING:
        last = last.model_copy(update={"status": DRAIN_CANCELED,
                                       "updated_at": rfc3339_nano(now),
                                       "meta": meta or last.meta})
    eligibility = ELIGIBLE if mark_eligible else node.scheduling_eligibility
    return node.model_copy(update={"drain_strategy": None, "drain": False,
                                   "scheduling_eligibility": eligibility, "last_drain": last})
