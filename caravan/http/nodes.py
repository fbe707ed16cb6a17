"""Routes under /v1/nodes and /v1/node/<id> (reads; client RPC routes live in node_rpc)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.acl import NamespaceCapability as NS
from caravan.http.auth import authorize, authorize_node, namespace_filter
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, parse_bool, query_options
from caravan.structs import Node, NodeListStub


def list_stub(node: Node, *, attributes: bool = False) -> NodeListStub:
    return NodeListStub(
        address=node.http_addr.rsplit(":", 1)[0] if node.http_addr else "", id=node.id,
        attributes=node.attributes if attributes else None, datacenter=node.datacenter,
        name=node.name, node_class=node.node_class, node_pool=node.node_pool,
        version=node.attributes.get("nomad.version", ""), drain=node.drain,
        last_drain=node.last_drain, scheduling_eligibility=node.scheduling_eligibility, status=node.status,
        status_description=node.status_description, drivers=node.drivers,
        create_index=node.create_index, modify_index=node.modify_index,
    )


async def list_nodes(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, Coarse.NODE_READ)
    index = await blocking_index(request, opts, "nodes")
    attrs = "os" in request.query_params or "attributes" in request.query_params
    nodes = server_of(request).nodes.list_nodes(opts.prefix)
    return json_response([list_stub(n, attributes=attrs) for n in nodes], index=index,
                         pretty=opts.pretty)


async def read_node(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, Coarse.NODE_READ)
    index = await blocking_index(request, opts, "nodes")
    node = server_of(request).nodes.get(request.path_params["node_id"])
    return json_response(node, index=index, pretty=opts.pretty)


async def node_allocs(request: Request) -> Response:
    """Full allocations (with Job) on a node; clients pull theirs with blocking queries."""
    opts = query_options(request)
    acl = await authorize_node(request, request.path_params["node_id"], Coarse.NODE_READ)
    nodes = server_of(request).nodes
    node = nodes.get(request.path_params["node_id"])
    index = await blocking_index(request, opts, "allocs")
    allocs = nodes.allocations(node.id)
    if acl is not None:  # a user, not the node: only allocs of namespaces it may read
        visible = namespace_filter(acl, NS.READ_JOB)
        allocs = [a for a in allocs if visible(a.namespace)]
    if parse_bool(request.query_params.get("non_terminal"), "non_terminal"):
        allocs = [a for a in allocs if not a.client_terminal()]
    return json_response(allocs, index=index, pretty=opts.pretty)


routes = [
    Route("/v1/nodes", list_nodes, methods=["GET"]),
    Route("/v1/node/{node_id}", read_node, methods=["GET"]),
    Route("/v1/node/{node_id}/allocations", node_allocs, methods=["GET"]),
]
