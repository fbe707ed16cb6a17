"""The one way a session served here is audited: who asked, then `Client.audit_session`.

    async with audited(ws, client, secret, ExecSession(kind="exec", alloc_id=..., ...)) as rec:
        ... rec.tap(stream) ...

The caller is the token the session was authorized with (`secret` is the ws_handshake
token, which overrides the headers); with ACLs disabled the record names no token.
Kinds whose bytes are not a terminal (port-forward, cp) pass `terminal=False`: counted,
never recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from starlette.requests import HTTPConnection

from caravan.client.audit import AuditedSession
from caravan.http.auth import caller_for
from caravan.structs.exec_audit import ExecSession

if TYPE_CHECKING:
    from caravan.client.client import Client


@asynccontextmanager
async def audited(conn: HTTPConnection, client: Client, secret: str | None,
                  record: ExecSession, terminal: bool = True) -> AsyncIterator[AuditedSession]:
    caller = await caller_for(conn, secret)
    if caller is not None:
        record = record.model_copy(update={"accessor_id": caller.token.accessor_id,
                                           "token_name": caller.token.name})
    async with client.audit_session(record, terminal) as session:
        yield session
