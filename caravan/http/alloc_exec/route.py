"""`GET /v1/client/allocation/{alloc_id}/exec`: the `alloc exec` WebSocket, on Nomad's wire.

    query (bad: HTTP error) ─▶ may exec nowhere? (403 before any lookup) ─▶ accept
      ─▶ ws_handshake? ─▶ may exec nowhere? ─▶ does our client hold the alloc?
      yes: checks in Nomad's order ─▶ local.LocalSession (the driver runs the command;
           on the `cp` route, copy.copy_session: the driver runs the copy helper)
      no:  server checks ─▶ relay.relay to the node's HTTP address, frames unchanged
    every session ends with an exit frame and a normal close, or with a close frame
    whose reason is the error (closing.py)

Output chunks are up to 256 KiB (Nomad sends 4 KiB; its clients take any size).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from caravan.acl import NamespaceCapability
from caravan.acl import authorize as check
from caravan.errors import CaravanError, InvalidInput, NotFound, PermissionDenied
from caravan.execproto.copy import CopyRequest
from caravan.execproto.frames import SUBPROTOCOL
from caravan.http.alloc_exec.copy import CopySession, copy_session
from caravan.http.alloc_exec.closing import ClientGone, close, close_code, first_error
from caravan.http.alloc_exec.local import LocalSession
from caravan.http.alloc_exec.relay import alloc_path, relay
from caravan.http.auth import acl_for, authorize_lookup, token_of
from caravan.http.context import AgentContext, agent_of
from caravan.http.forward import NoPathToNode
from caravan.http.query import parse_bool

log = logging.getLogger(__name__)

_HANDSHAKE_S = 10.0
_TERMINAL = ("complete", "failed", "lost")


@dataclass(frozen=True)
class ExecQuery:
    task: str
    command: list[str]
    tty: bool
    params: QueryParams
    path: str = ""  # where a relay opens the same session on another agent
    user: str = ""  # `alloc exec -u`: the driver decides whether it may (allow_exec_users)
    action: str = ""  # a job action: the command is the task's action's (action.py)
    job_id: str = ""  # with an action: the job the allocation must belong to
    # `alloc cp` (the `cp` route): the command is the copy helper, `command` describes it.
    copy: CopyRequest | None = None


def parse_query(params: QueryParams, path: str = "") -> ExecQuery:
    """The query as Nomad's agent reads it before upgrading (errors are plain HTTP)."""
    try:
        command = json.loads(params.get("command", "")) or []
    except ValueError as err:
        raise CaravanError(f"failed to marshal command into json: {err}") from None
    if not isinstance(command, list) or not all(isinstance(c, str) for c in command):
        raise CaravanError("failed to marshal command into json: not an array of strings")
    return ExecQuery(params.get("task", ""), command, parse_bool(params.get("tty"), "tty"),
                     params, path, user=params.get("user", ""))


def parse_copy_query(params: QueryParams, path: str) -> ExecQuery:
    """The `cp` route's query: a copy session has no tty and no command of its own."""
    request = CopyRequest.from_params(params.get)
    return ExecQuery(params.get("task", ""), request.describe(), False, params, path,
                     copy=request)


async def authorize_exec(ws: WebSocket, namespace: str, fs_isolation: str | None,
                         secret: str | None) -> None:
    """What a session needs: `alloc-exec` in the allocation's namespace, and `alloc-node-exec`
    as well when the task's driver has no filesystem isolation (raw_exec: the command runs
    on the host). `fs_isolation` None checks `alloc-exec` alone (before the task is known).
    `secret` is the ws_handshake token, which overrides the headers. (The CLI's `-job`
    lookup needs `read-job` and `list-jobs`; those routes check them.)"""
    acl = await acl_for(ws, secret)
    check(acl, NamespaceCapability.ALLOC_EXEC, namespace)
    if fs_isolation == "none":
        check(acl, NamespaceCapability.ALLOC_NODE_EXEC, namespace)


async def authorize_exec_somewhere(ws: WebSocket, secret: str | None) -> None:
    """Before the allocation is looked up: a caller who may exec in no namespace (an
    anonymous one, say) is refused without learning which allocation IDs exist."""
    check(await acl_for(ws, secret), NamespaceCapability.ALLOC_EXEC, "*")


async def exec_endpoint(ws: WebSocket) -> None:
    await _endpoint(ws, "exec", parse_query)


async def copy_endpoint(ws: WebSocket) -> None:
    """`alloc cp`: exec's session, authorization and relay, with the copy helper as the
    command (see `execproto.copy`)."""
    await _endpoint(ws, "cp", parse_copy_query)


async def _endpoint(ws: WebSocket, route: str,
                    parse: Callable[[QueryParams, str], ExecQuery]) -> None:
    alloc_id: str = ws.path_params["alloc_id"]
    try:
        query = parse(ws.query_params, alloc_path(alloc_id, route))
    except CaravanError as err:
        await ws.send_denial_response(PlainTextResponse(err.message, status_code=err.status))
        return
    await serve_session(ws, alloc_id, query)


async def serve_session(ws: WebSocket, alloc_id: str, query: ExecQuery) -> None:
    """Authorize, accept and serve one session of `query` in `alloc_id`: the one place
    every exec-channel session (exec, -u, job actions) starts and ends."""
    handshake = ws.query_params.get("ws_handshake")
    try:
        if not parse_bool(handshake, "ws_handshake"):
            await authorize_exec_somewhere(ws, None)
    except PermissionDenied as err:  # refused as plain HTTP, before anything is looked up
        await ws.send_denial_response(PlainTextResponse(err.message, status_code=err.status))
        return
    except CaravanError:
        pass  # TokenNotFound, a bad ws_handshake: reported after the upgrade, as before
    binary = SUBPROTOCOL in ws.scope.get("subprotocols", [])
    await ws.accept(subprotocol=SUBPROTOCOL if binary else None)
    try:
        secret = await _handshake(ws) if parse_bool(
            ws.query_params.get("ws_handshake"), "ws_handshake") else None
        await _serve(ws, alloc_id, query, secret, binary)
    except* ClientGone:
        pass
    except* CaravanError as group:
        first = first_error(group)
        await close(ws, close_code(first), str(first))
    except* Exception as group:  # the session's edge: a bug still ends it with a reason
        log.error("exec session for %s failed", alloc_id, exc_info=first_error(group))
        await close(ws, 1011, f"internal error: {first_error(group)}")


async def _handshake(ws: WebSocket) -> str:
    try:
        async with asyncio.timeout(_HANDSHAKE_S):
            message = await ws.receive_text()
    except WebSocketDisconnect:
        raise ClientGone() from None
    except TimeoutError:
        raise InvalidInput("no handshake message in time") from None
    try:
        hello = json.loads(message)
        version, token = hello.get("version"), hello.get("auth_token") or ""
    except (ValueError, AttributeError):
        raise InvalidInput(f"unexpected handshake value: {message[:40]}") from None
    if version != 1 or not isinstance(token, str):
        raise InvalidInput(f"unexpected handshake value: {version}")
    header = token_of(ws)
    if header and token != header:
        raise InvalidInput("handshake auth token mismatched auth header token")
    return token


async def _serve(ws: WebSocket, alloc_id: str, query: ExecQuery, secret: str | None,
                 binary: bool) -> None:
    ctx = agent_of(ws)
    await authorize_exec_somewhere(ws, secret)
    client = ctx.client
    if client is not None and client.alloc_runner(alloc_id) is not None:
        target = client.exec_target(alloc_id, query.task)
        await authorize_exec(ws, target.namespace, None, secret)
        check_not_terminal(alloc_id, target.client_status)
        if not query.task:
            raise InvalidInput("must provide task name")
        command = client.action_command(alloc_id, query.job_id, query.task, query.action) \
            if query.action else query.command
        if not command:
            raise InvalidInput("command is not present")
        await authorize_exec(ws, target.namespace, target.fs_isolation, secret)
        if query.copy is not None:
            await copy_session(ws, binary, client, CopySession(
                target.namespace, alloc_id, query.task, query.copy))
            return
        await LocalSession(ws, binary).run(lambda stream: client.exec_task(
            alloc_id, query.task, command, query.tty, stream, query.user))
        return
    address = await node_address(ws, ctx, alloc_id, secret, NamespaceCapability.ALLOC_EXEC)
    await relay(ws, address, query.path, query.params,
                token_of(ws) if secret is None else secret, binary)


async def node_address(ws: WebSocket, ctx: AgentContext, alloc_id: str, secret: str | None,
                       capability: NamespaceCapability) -> str:
    """Where to relay a session that needs `capability`: the node holding the alloc (from
    a server, which checks it in the alloc's namespace), or our server."""
    if ctx.server is None:
        servers = ctx.client.servers() if ctx.client is not None else []
        if not servers:
            raise NoPathToNode("No path to node")
        return servers[0]
    alloc = ctx.server.allocs.find(alloc_id)
    if alloc is None:  # whether an ID exists is not for every caller to learn
        await authorize_lookup(ws, capability, None, secret)
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    check(await acl_for(ws, secret), capability, alloc.namespace)
    check_not_terminal(alloc_id, alloc.client_status)
    node = ctx.server.nodes.find(alloc.node_id)
    if node is None:
        raise InvalidInput(f'Unknown node "{alloc.node_id}"')
    if not node.http_addr or node.http_addr == ctx.http_addr or node.status == "down":
        raise NoPathToNode("No path to node")
    return node.http_addr


def check_not_terminal(alloc_id: str, client_status: str) -> None:
    if client_status in _TERMINAL:
        raise InvalidInput(f"exec not possible, client status of allocation {alloc_id} is "
                           f"{client_status}")


routes = [WebSocketRoute("/v1/client/allocation/{alloc_id}/exec", exec_endpoint),
          WebSocketRoute("/v1/client/allocation/{alloc_id}/cp", copy_endpoint)]
