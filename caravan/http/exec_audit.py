"""The exec session audit: records from the server, recordings from the node that holds them.

    GET /v1/exec/sessions?namespace=&job=&alloc=&token=   records, newest first (server)
    GET /v1/exec/session/<id>/recording                   the asciicast file: served here
                                  when this agent's client served the session, else
                                  forwarded to that node's route below
    GET /v1/client/exec/session/<id>/recording            the node's own (client agent)
    POST /v1/node/<id>/exec-sessions                      a node's records (node_rpc.py)

Every read needs `read-exec-audit` in the session's namespace (never implied by
`alloc-exec`); the node checks again with the caller's token, which the forward carries.
An unknown session ID is a 403, like an allocation's, unless the caller may read the
audit of every namespace.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import NotFound
from caravan.http.auth import acl_for, authorize, authorize_lookup, namespace_filter
from caravan.http.context import agent_of, server_of
from caravan.http.forward import NoPathToNode, forward
from caravan.http.query import blocking_index, json_response, query_options
from caravan.server.exec_audit_endpoint import SessionFilter
from caravan.structs.exec_audit import ExecSession

ASCIICAST = "application/x-asciicast"


async def list_sessions(request: Request) -> Response:
    q = request.query_params
    where = SessionFilter(namespace=q.get("namespace", "default") or "default",
                          job_id=q.get("job", ""), alloc_id=q.get("alloc", ""),
                          accessor_id=q.get("token", ""))
    await authorize(request, NS.READ_EXEC_AUDIT, where.namespace)
    visible = namespace_filter(await acl_for(request), NS.READ_EXEC_AUDIT)
    opts = query_options(request)
    index = await blocking_index(request, opts, "exec_sessions")
    records = server_of(request).exec_audit.list_sessions(where, visible)
    return json_response(records, index=index, pretty=opts.pretty)


async def recording(request: Request) -> Response:
    session_id = request.path_params["session_id"]
    ctx = agent_of(request)
    record = ctx.require_server().exec_audit.find(session_id)
    await authorize_lookup(request, NS.READ_EXEC_AUDIT, record.namespace if record else None)
    if record is None:
        raise NotFound(f'Unknown exec session "{session_id}"')
    _check_recorded(record)
    if ctx.client is not None and ctx.client.node_id == record.node_id:
        return await _local(request, session_id)
    node = ctx.require_server().nodes.find(record.node_id)
    if node is None or not node.http_addr or node.http_addr == ctx.http_addr:
        raise NoPathToNode(f"No path to node {record.node_id} that holds the recording")
    return await forward(request, node.http_addr,
                         f"/v1/client/exec/session/{session_id}/recording")


async def node_recording(request: Request) -> Response:
    return await _local(request, request.path_params["session_id"])


async def _local(request: Request, session_id: str) -> Response:
    """The recording, from this agent's client; authorized against its own record."""
    client = agent_of(request).require_client()
    found = client.audit.local(session_id)
    await authorize_lookup(request, NS.READ_EXEC_AUDIT, found[0].namespace if found else None)
    if found is None:
        raise NotFound(f'exec session "{session_id}" has no record on this node: '
                       "its allocation was collected, or another node served it")
    record, read = found
    _check_recorded(record)
    try:
        data = read()
    except FileNotFoundError:
        raise NotFound(f'exec session "{session_id}" has no recording on this node') from None
    return Response(data, media_type=ASCIICAST)


def _check_recorded(record: ExecSession) -> None:
    if not record.recorded:
        raise NotFound(f'exec session "{record.id}" was not recorded: its node had '
                       "client { exec_recording { enabled = false } }")


routes = [
    Route("/v1/exec/sessions", list_sessions, methods=["GET"]),
    Route("/v1/exec/session/{session_id}/recording", recording, methods=["GET"]),
    Route("/v1/client/exec/session/{session_id}/recording", node_recording, methods=["GET"]),
]
