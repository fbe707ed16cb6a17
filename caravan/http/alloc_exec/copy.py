"""An `alloc cp` session served by this agent's client: exec's local session whose
runner is the driver's copy helper (`Client.copy_task`).

`copy_session` is the one place a copy session starts and ends: the audit record of
a copy (session kind `cp`, its command `CopySession.describe()`) belongs here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket

from caravan.client.audit import AuditedSession
from caravan.client.client import Client
from caravan.execproto.copy import CopyRequest
from caravan.http.alloc_exec.kind import ExecQuery, SessionKind
from caravan.http.alloc_exec.local import LocalSession, SessionStream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CopySession:
    namespace: str
    alloc_id: str
    task: str
    request: CopyRequest

    def describe(self) -> str:
        return " ".join(self.request.describe())


async def copy_session(ws: WebSocket, binary: bool, client: Client,
                       session: CopySession, audit: AuditedSession | None = None) -> None:
    """Serve one authorized copy until it ends (ClientGone if the caller left first);
    `audit` counts its bytes and keeps its exit code (see `alloc_exec.audit`)."""
    started = time.monotonic()
    log.info("cp session start: alloc %s task %s: %s", session.alloc_id, session.task,
             session.describe())
    exit_code: list[int] = []

    async def run(stream: SessionStream) -> int:
        if audit is None:
            code = await client.copy_task(session.alloc_id, session.task, session.request,
                                          stream)
        else:
            code = await audit.result(client.copy_task(
                session.alloc_id, session.task, session.request, audit.tap(stream)))
        exit_code.append(code)
        return code

    try:
        await LocalSession(ws, binary).run(run)
    finally:
        log.info("cp session end: alloc %s task %s: %s: exit %s after %.1fs",
                 session.alloc_id, session.task, session.describe(),
                 exit_code[0] if exit_code else "none", time.monotonic() - started)


def parse_copy_query(params: QueryParams, path: str = "") -> ExecQuery:
    """The `cp` route's query: a copy session has no tty and no command of its own."""
    request = CopyRequest.from_params(params.get)
    return ExecQuery(params.get("task", ""), request.describe(), False, params, path,
                     copy=request)


async def _serve_local(ws: WebSocket, client: Client, namespace: str, alloc_id: str,
                       query: ExecQuery, binary: bool, audit: AuditedSession) -> None:
    assert query.copy is not None  # parse_copy_query set it
    await copy_session(ws, binary, client, CopySession(namespace, alloc_id, query.task,
                                                       query.copy), audit)


CP = SessionKind(route="cp", serves_terminal=False, default_command=[],
                 serve_local=_serve_local, parse=parse_copy_query, records_terminal=False)
