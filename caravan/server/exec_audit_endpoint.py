"""Exec session audit records: written by the nodes that served them, read by auditors.

A node may only write records of sessions it served itself (the record names the node)
into allocations it runs. A record that says the session ended is never replaced by
one that says it is still open: pushes may arrive out of order after a retry.
Callers of the reads are authorized by the HTTP layer first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from caravan.errors import InvalidInput
from caravan.server.core import ServerCore
from caravan.server.node_endpoint import NodeEndpoint
from caravan.structs.exec_audit import ExecSession

MAX_PUSH = 1000  # records per push; a client sends its outbox in batches of this size


@dataclass(frozen=True)
class SessionFilter:
    namespace: str = "default"  # `*`: every namespace `visible` keeps
    job_id: str = ""
    alloc_id: str = ""  # an ID or a prefix of one
    accessor_id: str = ""


class ExecAuditEndpoint:
    def __init__(self, core: ServerCore, nodes: NodeEndpoint) -> None:
        self._core = core
        self._nodes = nodes

    def upsert(self, node_id: str, secret: str, records: list[ExecSession]) -> int:
        """Store a node's records; returns the index (unchanged when nothing was new)."""
        self._nodes.authenticate(node_id, secret)
        if len(records) > MAX_PUSH:
            raise InvalidInput(f"at most {MAX_PUSH} exec sessions per request")
        store = self._core.store
        txn = self._core.begin()
        for record in records:
            alloc = store.alloc(record.alloc_id)
            if record.node_id != node_id or alloc is None or alloc.node_id != node_id:
                continue
            old = store.exec_sessions.get(record.id)
            if old is not None and (old.node_id != node_id or old.ended() and not record.ended()):
                continue
            # What the record says of the allocation comes from the allocation itself.
            txn.exec_sessions.append(record.model_copy(update={
                "namespace": alloc.namespace, "job_id": alloc.job_id}))
        if not txn.exec_sessions:
            return store.index
        return self._core.commit_and_enqueue(txn)

    def list_sessions(self, where: SessionFilter,
                      visible: Callable[[str], bool] = lambda _ns: True) -> list[ExecSession]:
        """Newest first."""
        found = [r for r in self._core.store.exec_sessions.all() if _matches(r, where)
                 and visible(r.namespace)]
        found.sort(key=lambda r: r.start_time, reverse=True)
        return found

    def find(self, session_id: str) -> ExecSession | None:
        return self._core.store.exec_sessions.get(session_id)

    @property
    def index(self) -> int:
        return self._core.store.table_index("exec_sessions")


def _matches(record: ExecSession, where: SessionFilter) -> bool:
    return (where.namespace in ("*", record.namespace)
            and where.job_id in ("", record.job_id)
            and record.alloc_id.startswith(where.alloc_id)
            and where.accessor_id in ("", record.accessor_id))
