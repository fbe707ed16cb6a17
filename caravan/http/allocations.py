"""Routes under /v1/allocations and /v1/allocation/<id>."""

from __future__ import annotations

from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import NotFound
from caravan.http.auth import acl_for, authorize, authorize_lookup, namespace_filter
from caravan.http.context import server_of
from caravan.http.list_cache import cache_of, list_response
from caravan.http.query import blocking_index, json_response, parse_bool, query_options
from caravan.structs import Allocation, AllocListStub, AllocStopResponse


async def list_allocs(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "allocs")
    resources = parse_bool(request.query_params.get("resources"), "resources")
    task_states = parse_bool(request.query_params.get("task_states"), "task_states", True)
    ns = request.query_params.get("namespace", "default") or "default"
    await authorize(request, NS.READ_JOB, ns)
    visible = namespace_filter(await acl_for(request), NS.READ_JOB)
    allocs = server_of(request).allocs.list_allocs(ns, opts.prefix, visible)
    if opts.pretty:
        return json_response([_stub(a, resources, task_states) for a in allocs], index=index,
                             pretty=True)
    cache = cache_of(request, "allocations")
    texts = [cache.text((a.id, resources, task_states), a, a.modify_index,
                        partial(_stub, a, resources, task_states)) for a in allocs]
    cache.prune(len(allocs))
    return list_response(texts, index)


def _stub(alloc: Allocation, resources: bool, task_states: bool) -> AllocListStub:
    stub = AllocListStub.of(alloc, resources=resources)
    return stub if task_states else stub.model_copy(update={"task_states": None})


async def read_alloc(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "allocs")
    alloc = server_of(request).allocs.find(request.path_params["alloc_id"])
    await authorize_lookup(request, NS.READ_JOB, alloc.namespace if alloc else None)
    if alloc is None:
        raise NotFound("alloc not found")
    return json_response(alloc, index=index, pretty=opts.pretty)


async def stop_alloc(request: Request) -> Response:
    allocs = server_of(request).allocs
    alloc = allocs.find(request.path_params["alloc_id"])
    await authorize_lookup(request, NS.ALLOC_LIFECYCLE, alloc.namespace if alloc else None)
    ev, index = allocs.stop(request.path_params["alloc_id"])
    return json_response(AllocStopResponse(eval_id=ev.id if ev else "", index=index), index=index)


routes = [
    Route("/v1/allocations", list_allocs, methods=["GET"]),
    Route("/v1/allocation/{alloc_id}", read_alloc, methods=["GET"]),
    Route("/v1/allocation/{alloc_id}/stop", stop_alloc, methods=["PUT", "POST"]),
]
