"""`GET /v1/client/allocation/{alloc_id}/port-forward?port=P[&task=T]`: one TCP connection
into the allocation, carried over a WebSocket (`caravan.execproto.portforward`).

    port (bad: 400) ─▶ alloc-port-forward nowhere? (403, before any lookup) ─▶ accept
      ─▶ does our client hold the alloc?
      yes: alloc-port-forward in its namespace ─▶ a port it holds, task running
           ─▶ dial (refused: a close naming it) ─▶ tunnel.Tunnel until both sides EOF
      no:  server checks the same capability ─▶ relay.relay to the node, frames unchanged

Its capability is `alloc-port-forward` alone: `alloc-exec` neither grants it nor is
granted by it. Which ports are reachable is `caravan.client.forward_target`'s rule.
`_forward` is the one place a session starts and ends on the node that serves it.
"""

from __future__ import annotations

import logging
import time

from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from caravan.acl import NamespaceCapability
from caravan.acl import authorize as check
from caravan.client.audit import AuditedSession
from caravan.errors import CaravanError, NotFound
from caravan.execproto.portforward import ROUTE, parse_remote
from caravan.http.alloc_exec.audit import audited
from caravan.http.alloc_exec.closing import ClientGone, close, close_code, first_error
from caravan.http.alloc_exec.relay import alloc_path, relay
from caravan.http.alloc_exec.route import check_not_terminal, gone, node_address
from caravan.http.alloc_exec.tunnel import dial
from caravan.http.auth import acl_for, authorize_lookup, token_of
from caravan.http.context import agent_of
from caravan.http.query import parse_bool
from caravan.structs.exec_audit import ExecSession

log = logging.getLogger(__name__)

CAPABILITY = NamespaceCapability.ALLOC_PORT_FORWARD


async def port_forward_endpoint(ws: WebSocket) -> None:
    alloc_id: str = ws.path_params["alloc_id"]
    try:
        remote = parse_remote(ws.query_params.get("port", ""))
        check(await acl_for(ws), CAPABILITY, "*")
    except CaravanError as err:  # plain HTTP, before anything is looked up
        await ws.send_denial_response(PlainTextResponse(err.message, status_code=err.status))
        return
    await ws.accept()
    try:
        await _serve(ws, alloc_id, ws.query_params.get("task", ""), remote)
    except* ClientGone:
        pass
    except* CaravanError as group:
        first = first_error(group)
        await close(ws, close_code(first), str(first))
    except* Exception as group:  # the session's edge: a bug still ends it with a reason
        log.error("port-forward to %s failed", alloc_id, exc_info=first_error(group))
        await close(ws, 1011, f"internal error: {first_error(group)}")


async def _serve(ws: WebSocket, alloc_id: str, task: str, remote: int | str) -> None:
    ctx = agent_of(ws)
    client = ctx.client
    if client is not None and client.alloc_runner(alloc_id) is not None:
        target = client.exec_target(alloc_id, task)
        check(await acl_for(ws), CAPABILITY, target.namespace)
        check_not_terminal(alloc_id, target.client_status)
        host, port = client.port_forward_address(alloc_id, task, remote)
        record = ExecSession(kind="port-forward", alloc_id=alloc_id, task=task,
                             command=[f"port {port}"])
        async with audited(ws, client, None, record, terminal=False) as rec:
            await _forward(ws, alloc_id, task, host, port, rec)
        return
    if parse_bool(ws.query_params.get("node_hop"), "node_hop"):
        # Sent here as the alloc's node, which no longer holds it: never relayed back.
        await authorize_lookup(ws, CAPABILITY, None, None)
        raise NotFound(gone(False, alloc_id))
    address = await node_address(ws, ctx, alloc_id, None, CAPABILITY)
    await relay(ws, address, alloc_path(alloc_id, ROUTE), ws.query_params, token_of(ws),
                False, node_hop=ctx.server is not None)


async def _forward(ws: WebSocket, alloc_id: str, task: str, host: str, port: int,
                   rec: AuditedSession) -> None:
    """One session on the node: dial, carry, close. Its start and end (and the bytes each
    way) are logged here and counted on its audit record, and only here."""
    tunnel = await dial(host, port, alloc_id)
    started = time.monotonic()
    log.info("port-forward session start: alloc %s task %r port %d", alloc_id, task, port)
    outcome = "client gone"
    try:
        await tunnel.pump(ws)
        outcome = "closed"
    finally:
        rec.add_in(tunnel.bytes_in)
        rec.add_out(tunnel.bytes_out)
        log.info("port-forward session end: alloc %s port %d %s after %.1fs, %d bytes in, "
                 "%d bytes out", alloc_id, port, outcome, time.monotonic() - started,
                 tunnel.bytes_in, tunnel.bytes_out)
    await close(ws, 1000, "")


routes = [WebSocketRoute(f"/v1/client/allocation/{{alloc_id}}/{ROUTE}", port_forward_endpoint)]
