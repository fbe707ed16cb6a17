"""Routes served by the agent whose client holds the allocation: logs, stats, signal, restart.

Any agent accepts them: a server that does not run the allocation forwards the
request to the node's HTTP address (Nomad's "No path to node" when it cannot).
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from caravan.acl import Capability
from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import authorize_lookup
from caravan.http.context import AgentContext, agent_of, client_of
from caravan.http.forward import NoPathToNode, forward
from caravan.http.query import json_response, parse_bool, read_json
from caravan.wire_limits import INT64_MAX

_HEARTBEAT_S = 1.0


def _alloc_namespace(ctx: AgentContext, alloc_id: str) -> str | None:
    runner = ctx.client.alloc_runner(alloc_id) if ctx.client is not None else None
    if runner is not None:
        return runner.alloc.namespace
    if ctx.server is not None:
        alloc = ctx.server.allocs.find(alloc_id)
        return alloc.namespace if alloc is not None else None
    return None


async def _authorize_alloc(request: Request, alloc_id: str,
                           capability: Capability | tuple[Capability, ...]) -> None:
    """Checked where the alloc is known; a client-only agent that does not hold it
    forwards the request, and the server checks it there."""
    ctx = agent_of(request)
    namespace = _alloc_namespace(ctx, alloc_id)
    if namespace is None and ctx.server is None:
        return
    await authorize_lookup(request, capability, namespace)


async def _local_or_forward(request: Request, alloc_id: str,
                            capability: Capability | tuple[Capability, ...]) -> Response | None:
    """Authorize the caller; then None when this agent's client holds the alloc, else the
    response of the agent the request was forwarded to."""
    await _authorize_alloc(request, alloc_id, capability)
    ctx = agent_of(request)
    if ctx.client is not None and ctx.client.alloc_dir(alloc_id) is not None:
        return None
    if ctx.server is None and ctx.client is not None and ctx.client.servers():
        return await forward(request, ctx.client.servers()[0])
    server = ctx.require_server()
    alloc = server.allocs.find(alloc_id)
    if alloc is None:
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    node = server.nodes.find(alloc.node_id)
    if node is None:
        raise InvalidInput(f'Unknown node "{alloc.node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr:
        raise NoPathToNode("No path to node")
    return await forward(request, node.http_addr)


async def logs(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    q = request.query_params
    task = q.get("task", "")
    if not task:
        raise InvalidInput("must provide task name")
    log_type = q.get("type", "")
    if log_type not in ("stdout", "stderr"):
        raise InvalidInput("must provide log type (stdout/stderr)")
    origin = q.get("origin", "start") or "start"
    if origin not in ("start", "end"):
        raise InvalidInput("origin must be start or end")
    try:
        offset = int(q.get("offset", "0") or "0")
    except ValueError:
        raise InvalidInput(f'invalid offset "{q.get("offset")}": must be an integer') from None
    if not 0 <= offset <= INT64_MAX:
        raise InvalidInput(f'invalid offset "{offset}": must be between 0 and 2^63-1')
    follow = parse_bool(q.get("follow"), "follow")
    plain = parse_bool(q.get("plain"), "plain")
    forwarded = await _local_or_forward(request, alloc_id, (NS.READ_LOGS, NS.READ_FS))
    if forwarded is not None:
        return forwarded
    client = client_of(request)
    state = client.task_state(alloc_id, task)
    if state is None:
        raise InvalidInput(f'unknown task name "{task}"')
    if state.state == "pending" and state.started_at.startswith("0001-"):
        raise NotFound(f'task "{task}" not started yet. No logs available')
    from caravan.client.logs import stream_logs  # only agents that run a client read logs

    alloc_dir = client.alloc_dir(alloc_id)
    if alloc_dir is None:  # collected since _local_or_forward saw it
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    frames = await _started(stream_logs(alloc_dir, task, log_type, origin, offset, follow))
    if plain:
        return StreamingResponse(_plain(frames), media_type="text/plain")
    return StreamingResponse(_framed(frames), media_type="application/json")


async def _started(frames: AsyncIterator[Any]) -> AsyncIterator[Any]:
    """The stream, run up to its first frame now: its errors (no such log file) become an
    HTTP error before the response starts, not a chunked body cut short."""
    try:
        first = await anext(frames)
    except StopAsyncIteration:
        return _frames_of([], frames)
    return _frames_of([first], frames)


async def _frames_of(head: list[Any], rest: AsyncIterator[Any]) -> AsyncIterator[Any]:
    for frame in head:
        yield frame
    async for frame in rest:
        yield frame


async def _plain(frames: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    async for frame in frames:
        if frame.data:
            yield frame.data


async def _framed(frames: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    async for frame in frames:
        out: dict[str, Any] = {}
        if frame.data:
            out = {"Offset": frame.offset, "Data": base64.b64encode(frame.data).decode(),
                   "File": frame.file}
        if frame.file_event:
            out["FileEvent"] = frame.file_event
            out.setdefault("File", frame.file)
        yield json.dumps(out).encode()


async def stats(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    forwarded = await _local_or_forward(request, alloc_id, NS.READ_JOB)
    if forwarded is not None:
        return forwarded
    usage = await client_of(request).stats(alloc_id)
    return json_response(usage)


async def checks(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    forwarded = await _local_or_forward(request, alloc_id, NS.READ_JOB)
    if forwarded is not None:
        return forwarded
    return json_response(client_of(request).alloc_checks(alloc_id))


async def signal(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    forwarded = await _local_or_forward(request, alloc_id, NS.ALLOC_LIFECYCLE)
    if forwarded is not None:
        return forwarded
    body = await read_json(request, required=False) or {}
    await client_of(request).signal_task(alloc_id, str(body.get("Task", "") or ""),
                                                   str(body.get("Signal", "") or "SIGKILL"))
    return json_response({})


async def restart(request: Request) -> Response:
    alloc_id = request.path_params["alloc_id"]
    forwarded = await _local_or_forward(request, alloc_id, NS.ALLOC_LIFECYCLE)
    if forwarded is not None:
        return forwarded
    body = await read_json(request, required=False) or {}
    await client_of(request).restart_alloc(alloc_id,
                                                     str(body.get("TaskName", "") or ""))
    return json_response({})


routes = [
    Route("/v1/client/fs/logs/{alloc_id}", logs, methods=["GET"]),
    Route("/v1/client/allocation/{alloc_id}/stats", stats, methods=["GET"]),
    Route("/v1/client/allocation/{alloc_id}/checks", checks, methods=["GET"]),
    Route("/v1/client/allocation/{alloc_id}/signal", signal, methods=["PUT", "POST"]),
    Route("/v1/client/allocation/{alloc_id}/restart", restart, methods=["PUT", "POST"]),
]
