"""The exec session audit records of the state store.

    exec_sessions   session ID -> ExecSession

Written by the node that served each session (`ExecAuditEndpoint.upsert`), read by
`/v1/exec/sessions`. Records outlive their allocations: the audit is the point.
"""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.structs.exec_audit import ExecSession

TABLE = "exec_sessions"


class ExecSessionTable:
    def __init__(self) -> None:
        self._by_id: dict[str, ExecSession] = {}

    def get(self, session_id: str) -> ExecSession | None:
        return self._by_id.get(session_id)

    def all(self) -> list[ExecSession]:
        return list(self._by_id.values())

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for raw in rows.get(TABLE, {}).values():
            record = ExecSession.model_validate_json(raw)
            self._by_id[record.id] = record

    def change(self, writes: list[ExecSession], change: Change) -> None:
        for record in writes:
            change.put(TABLE, record.id, record.model_dump_json(by_alias=True))

    def apply(self, writes: list[ExecSession]) -> set[str]:
        for record in writes:
            self._by_id[record.id] = record
        return {TABLE} if writes else set()
