"""`/v1/node/<id>/evaluate`: evaluate again every job with allocations on a node, and
every system job, as Nomad's `Node.Evaluate` does (trigger "node-update")."""

from __future__ import annotations

from caravan.errors import NotFound
from caravan.server.core import ServerCore


def evaluate_node(core: ServerCore, node_id: str) -> tuple[list[str], int]:
    """(IDs of the evaluations created, the index of the write)."""
    node = core.store.node(node_id)
    if node is None:
        raise NotFound("node not found")
    keys = {(a.namespace, a.job_id) for a in core.store.allocs_by_node(node_id)}
    keys |= {(j.namespace, j.id) for j in core.store.jobs("*")
             if j.type in ("system", "sysbatch")}
    txn = core.begin()
    for namespace, job_id in sorted(keys):
        job = core.store.job(namespace, job_id)
        if job is None or job.stop:
            continue
        txn.evals.append(core.new_eval(job, "node-update", node_id=node_id,
                                       node_modify_index=node.modify_index))
    if not txn.evals:
        return [], core.store.index
    index = core.commit_and_enqueue(txn)
    return [ev.id for ev in txn.evals], index
