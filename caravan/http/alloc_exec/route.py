"""The exec channel's allocation routes, on Nomad's wire: `GET /v1/client/allocation/
{alloc_id}/exec` (`alloc exec`) and its siblings `/cp` (`copy.py`) and `/debug`
(`debug.py`), each a `kind.SessionKind`; job actions (`action.py`) are exec sessions on
their own route. Every one of them starts and ends in `serve_session`.

    query (bad: HTTP error) ─▶ may exec nowhere? (403 before any lookup) ─▶ accept
      ─▶ ws_handshake? ─▶ may exec nowhere? ─▶ does our client hold the alloc?
      yes: checks in Nomad's order ─▶ the kind's local session (exec: the driver runs
           the command; cp: the copy helper; debug: a copy of the exited task)
      no:  server checks ─▶ relay.relay to the node's HTTP address on the path the
           session came in on, frames unchanged (with `node_hop=true`: a node that no
           longer holds the alloc answers, never relays it back)
    every session ends with an exit frame and a normal close, or with a close frame
    whose reason is the error (closing.py)

Output chunks are up to 256 KiB (Nomad sends 4 KiB; its clients take any size).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

from caravan.acl import NamespaceCapability
from caravan.acl import authorize as check
from caravan.client.audit import AuditedSession
from caravan.client.client import Client
from caravan.errors import CaravanError, InvalidInput, NotFound, PermissionDenied
from caravan.execproto.frames import SUBPROTOCOL
from caravan.http.alloc_exec.closing import ClientGone, close, close_code, first_error
from caravan.http.alloc_exec.audit import audited
from caravan.http.alloc_exec.copy import CP
from caravan.http.alloc_exec.debug import DEBUG
from caravan.http.alloc_exec.kind import ExecQuery, SessionKind, parse_query
from caravan.http.alloc_exec.local import LocalSession
from caravan.http.alloc_exec.relay import alloc_path, relay
from caravan.http.auth import acl_for, authorize_lookup, token_of
from caravan.http.context import AgentContext, agent_of
from caravan.http.forward import NoPathToNode
from caravan.http.query import parse_bool
from caravan.structs.exec_audit import ExecSession

__all__ = ["EXEC", "ExecQuery", "authorize_exec", "check_not_terminal", "node_address",
           "parse_query", "routes", "serve_session"]

log = logging.getLogger(__name__)

_HANDSHAKE_S = 10.0
_TERMINAL = ("complete", "failed", "lost")


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


async def _serve_exec(ws: WebSocket, client: Client, namespace: str, alloc_id: str,
                      query: ExecQuery, binary: bool, audit: AuditedSession) -> None:
    await LocalSession(ws, binary).run(lambda stream: audit.result(client.exec_task(
        alloc_id, query.task, query.command, query.tty, audit.tap(stream), query.user)))


EXEC = SessionKind(route="exec", serves_terminal=False, default_command=[],
                   serve_local=_serve_exec)


def session_endpoint(kind: SessionKind) -> Callable[[WebSocket], Awaitable[None]]:
    async def endpoint(ws: WebSocket) -> None:
        alloc_id: str = ws.path_params["alloc_id"]
        try:
            query = kind.parse(ws.query_params, alloc_path(alloc_id, kind.route))
        except CaravanError as err:
            await ws.send_denial_response(PlainTextResponse(err.message,
                                                            status_code=err.status))
            return
        await serve_session(ws, kind, alloc_id, query)
    return endpoint


async def serve_session(ws: WebSocket, kind: SessionKind, alloc_id: str,
                        query: ExecQuery) -> None:
    """Authorize, accept and serve one session of `kind` for `query` in `alloc_id`: the
    one place every exec-channel session (exec, -u, cp, debug, job actions) starts and
    ends."""
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
        await _serve(ws, kind, alloc_id, query, secret, binary)
    except* ClientGone:
        pass
    except* CaravanError as group:
        first = first_error(group)
        await close(ws, close_code(first), str(first))
    except* Exception as group:  # the session's edge: a bug still ends it with a reason
        log.error("%s session for %s failed", kind.route, alloc_id,
                  exc_info=first_error(group))
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


async def _serve(ws: WebSocket, kind: SessionKind, alloc_id: str, query: ExecQuery,
                 secret: str | None, binary: bool) -> None:
    ctx = agent_of(ws)
    await authorize_exec_somewhere(ws, secret)
    client = ctx.client
    if client is not None and client.alloc_runner(alloc_id) is not None:
        target = client.exec_target(alloc_id, query.task)
        await authorize_exec(ws, target.namespace, None, secret)
        if not kind.serves_terminal:
            check_not_terminal(alloc_id, target.client_status)
        if not query.task:
            raise InvalidInput("must provide task name")
        command = client.action_command(alloc_id, query.job_id, query.task, query.action) \
            if query.action else query.command
        query = replace(query, command=command or kind.default_command)
        if not query.command:
            raise InvalidInput("command is not present")
        await authorize_exec(ws, target.namespace, target.fs_isolation, secret)
        # One audit record per session, whatever its kind: who, where, what (see audit.py).
        record = ExecSession(kind="action" if query.action else kind.route, alloc_id=alloc_id,
                             task=query.task, command=query.command, tty=query.tty,
                             user=query.user)
        async with audited(ws, client, secret, record, terminal=kind.records_terminal) as rec:
            await kind.serve_local(ws, client, target.namespace, alloc_id, query, binary, rec)
        return
    if parse_bool(query.params.get("node_hop"), "node_hop"):
        # Sent here as the alloc's node, which no longer holds it: relaying it on would
        # send it back. Whether it existed is for the caller's namespace to learn.
        await authorize_lookup(ws, NamespaceCapability.ALLOC_EXEC, None, secret)
        raise NotFound(gone(kind.serves_terminal, alloc_id))
    address = await node_address(ws, ctx, alloc_id, secret, NamespaceCapability.ALLOC_EXEC,
                                 serves_terminal=kind.serves_terminal)
    await relay(ws, address, query.path, query.params,
                token_of(ws) if secret is None else secret, binary,
                node_hop=ctx.server is not None)


async def node_address(ws: WebSocket, ctx: AgentContext, alloc_id: str, secret: str | None,
                       capability: NamespaceCapability, *,
                       serves_terminal: bool = False) -> str:
    """Where to relay a session that needs `capability`: the node holding the alloc (from
    a server, which checks it in the alloc's namespace), or our server. A terminal
    allocation is refused unless the session `serves_terminal` (debug)."""
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
    if not serves_terminal:
        check_not_terminal(alloc_id, alloc.client_status)
    node = ctx.server.nodes.find(alloc.node_id)
    if node is None:
        raise InvalidInput(f'Unknown node "{alloc.node_id}"')
    if node.http_addr == ctx.http_addr and serves_terminal:
        raise NotFound(gone(serves_terminal, alloc_id))  # our own client no longer holds it
    if not node.http_addr or node.http_addr == ctx.http_addr or node.status == "down":
        raise NoPathToNode("No path to node")
    return node.http_addr


def gone(serves_terminal: bool, alloc_id: str) -> str:
    """What a node that no longer holds the allocation answers."""
    if serves_terminal:
        return (f"the alloc dir of allocation {alloc_id} has been garbage collected: there "
                "is nothing left to debug")
    return f'Unknown allocation "{alloc_id}"'


def check_not_terminal(alloc_id: str, client_status: str) -> None:
    if client_status in _TERMINAL:
        raise InvalidInput(f"exec not possible, client status of allocation {alloc_id} is "
                           f"{client_status}")


exec_endpoint = session_endpoint(EXEC)
routes = [WebSocketRoute(f"/v1/client/allocation/{{alloc_id}}/{kind.route}",
                         session_endpoint(kind)) for kind in (EXEC, CP, DEBUG)]
