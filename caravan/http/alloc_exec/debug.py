"""`GET /v1/client/allocation/{alloc_id}/debug`: `alloc debug`, a short-lived copy of a task
that has exited or failed, on exec's channel.

Everything but the local session is exec's (`route.py`): the query (`task`, `command`,
`tty`), the `ws_handshake` token, forwarding through any agent (`relay.py`) and
authorization, which is exec's because a debug copy is exec by other means:
`alloc-exec` in the allocation's namespace, plus `alloc-node-exec` for a task without
filesystem isolation (raw_exec: the copy is a host process in the task dir, as the
task's user). Unlike exec, a terminal allocation (complete, failed) is served: a
failed allocation is what one debugs. The command defaults to `/bin/sh`.

A session starts and ends in `_serve_local`, and nowhere else: its ID names the copy
(`Driver.debug_streaming`), and whatever records sessions hooks in there.
"""

from __future__ import annotations

import logging
import uuid

from starlette.websockets import WebSocket

from caravan.client.audit import AuditedSession
from caravan.client.client import Client
from caravan.errors import InvalidInput
from caravan.http.alloc_exec.kind import ExecQuery, SessionKind
from caravan.http.alloc_exec.local import LocalSession

log = logging.getLogger(__name__)

DEFAULT_COMMAND = ["/bin/sh"]


async def _serve_local(ws: WebSocket, client: Client, namespace: str, alloc_id: str,
                       query: ExecQuery, binary: bool, audit: AuditedSession) -> None:
    if query.user:  # a copy runs as the task ran; -u is exec's
        raise InvalidInput("alloc debug does not take a user: the copy runs as the task's")
    session_id = uuid.uuid4().hex[:8]
    log.info("debug session %s: a copy of task %s of allocation %s runs %s", session_id,
             query.task, alloc_id, query.command)
    try:
        await LocalSession(ws, binary).run(lambda stream: audit.result(client.debug_task(
            alloc_id, query.task, session_id, query.command, query.tty, audit.tap(stream))))
    finally:
        log.info("debug session %s ended", session_id)


DEBUG = SessionKind(route="debug", serves_terminal=True, default_command=DEFAULT_COMMAND,
                    serve_local=_serve_local)
