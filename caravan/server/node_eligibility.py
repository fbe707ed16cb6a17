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


def purge(core: ServerCore, node_id: str) -> tuple[list[str], int]:
    """Forget a node (`/v1/node/<id>/purge`): what ran there is lost and placed again
    elsewhere; a client still alive registers anew at its next heartbeat."""
    node = core.store.node(node_id)
    if node is None:
        raise NotFound("node not found")
    txn = core.begin()
    txn.node_deletes.append(node_id)
    jobs = {(a.namespace, a.job_id) for a in core.store.allocs_by_node(node_id)
            if not a.terminal()}
    for namespace, job_id in sorted(jobs):
        job = core.store.job(namespace, job_id)
        if job is not None:
            txn.evals.append(core.new_eval(job, "node-deregister", node_id=node_id))
    index = core.commit_and_enqueue(txn)
    return [ev.id for ev in txn.evals], index
