"""Where a client keeps exec audit records and recordings: its own data dir, root-only.

    <data_dir>/client/exec_audit/                  0700, never inside an alloc dir
        sessions/<alloc_id>/<session_id>.json      the record, as last written
        sessions/<alloc_id>/<session_id>.cast      the asciicast recording (when enabled)
        outbox/<session_id>-<n>.json               records not yet taken by a server

A task owns its alloc dir and may race anything the agent does there; nothing here is
below one, so plain paths are safe. Records are replaced atomically (write, fsync,
rename). The outbox holds a new file per write (`-0` at the start, `-1` at the end),
so a push never deletes a record written while it was under way. An allocation's
`sessions/` dir goes with the allocation (`remove_alloc`); the outbox does not, so a
record still reaches the server after its allocation was collected.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from caravan.structs.exec_audit import ExecSession

_ID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def valid_id(text: str) -> bool:
    """Session and allocation IDs are the only names that become paths here."""
    return bool(_ID.match(text))


class AuditFiles:
    def __init__(self, client_dir: Path) -> None:
        self.root = client_dir / "exec_audit"
        self.sessions = self.root / "sessions"
        self.outbox = self.root / "outbox"

    def ensure(self) -> None:
        for path in (self.root, self.sessions, self.outbox):
            path.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(path, 0o700)

    def alloc_dir(self, alloc_id: str) -> Path:
        if not valid_id(alloc_id):
            raise ValueError(f"not an allocation ID: {alloc_id!r}")
        path = self.sessions / alloc_id
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def recording_path(self, record: ExecSession) -> Path:
        return self.alloc_dir(record.alloc_id) / f"{record.id}.cast"

    def save(self, record: ExecSession, seq: int) -> None:
        """Blocking (fsync): the record in its alloc's dir and in the outbox."""
        raw = record.model_dump_json(by_alias=True).encode()
        _write_atomic(self.alloc_dir(record.alloc_id) / f"{record.id}.json", raw)
        _write_atomic(self.outbox / f"{record.id}-{seq}.json", raw)

    def find(self, session_id: str) -> tuple[ExecSession, Path] | None:
        """The record of a session this client served and its recording's path."""
        if not valid_id(session_id):
            return None
        for path in self.sessions.glob(f"*/{session_id}.json"):
            record = ExecSession.model_validate_json(path.read_bytes())
            return record, path.with_suffix(".cast")
        return None

    def records(self) -> list[ExecSession]:
        return [ExecSession.model_validate_json(p.read_bytes())
                for p in sorted(self.sessions.glob("*/*.json"))]

    def pending(self) -> list[tuple[Path, ExecSession]]:
        """Outbox entries, oldest write first for each session."""
        return [(p, ExecSession.model_validate_json(p.read_bytes()))
                for p in sorted(self.outbox.glob("*.json"))]

    def remove_alloc(self, alloc_id: str) -> None:
        if valid_id(alloc_id):
            shutil.rmtree(self.sessions / alloc_id, ignore_errors=True)

    def alloc_ids(self) -> list[str]:
        return [p.name for p in self.sessions.iterdir() if p.is_dir()] \
            if self.sessions.is_dir() else []


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
