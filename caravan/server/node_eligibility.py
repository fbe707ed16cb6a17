"""Node scheduling eligibility (`node eligibility -enable|-disable`): an ineligible node
keeps what it runs but gets no new placements; made eligible again, blocked evaluations
and system jobs get another pass, as when a node joins."""

from __future__ import annotations

from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore

ELIGIBLE, INELIGIBLE = "eligible", "ineligible"


def set_eligibility(core: ServerCore, node_id: str, eligibility: str) -> tuple[list[str], int]:
    """(IDs of the evaluations it created, the index of the write)."""
    if eligibility not in (ELIGIBLE, INELIGIBLE):
        raise InvalidInput(f'invalid scheduling eligibility "{eligibility}": '
                           f'"{ELIGIBLE}" or "{INELIGIBLE}"')
    node = core.store.node(node_id)
    if node is None:
        raise NotFound("node not found")
    if node.drain and eligibility == ELIGIBLE:
        raise InvalidInput("can not set node's scheduling eligibility to eligible while it "
                           "is draining")
    txn = core.begin()
    txn.nodes.append(node.model_copy(update={"scheduling_eligibility": eligibility}))
    if eligibility == ELIGIBLE and node.scheduling_eligibility != ELIGIBLE:
        txn.evals.extend(core.new_eval(job, "node-update", node_id=node.id)
                         for job in core.store.jobs("*")
                         if job.type in ("system", "sysbatch") and not job.stop)
    index = core.commit_and_enqueue(txn)
    if eligibility == ELIGIBLE:
        core.unblock()
    return [ev.id for ev in txn.evals], index
