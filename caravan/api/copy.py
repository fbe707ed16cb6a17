"""`alloc cp` sessions for programs: a tar stream to or from a running task.

    async with copy_session(client, alloc_id, "web", CopyRequest("download", "/local"),
                            node_id=alloc.node_id) as session:
        async for out in session:   # stdout: the tar; stderr: the copy's error, if any
            ...
        session.exit_code           # 0 when the copy finished

An upload sends the tar with `send_stdin` and ends it with `close_stdin`. The session
is `caravan.api.exec.ExecSession` on the `cp` route: same frames, same dial (the node,
else the agent, which forwards it), same authorization as exec.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from caravan.api.client import Client
from caravan.api.exec import ExecSession, open_channel
from caravan.execproto.copy import CopyRequest
from caravan.execproto.frames import SUBPROTOCOL

__all__ = ["CopyRequest", "copy_session"]


@asynccontextmanager
async def copy_session(client: Client, alloc_id: str, task: str, request: CopyRequest, *,
                       node_id: str | None = None) -> AsyncIterator[ExecSession]:
    """Open a copy session; closing it early ends the copy in the task."""
    conn = await open_channel(client, alloc_id, "cp", {"task": task, **request.params()},
                              node_id, [SUBPROTOCOL])
    session = ExecSession(conn)
    try:
        yield session
    finally:
        await session.aclose()
