"""Routes under /v1/evaluations and /v1/evaluation/<id>."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import NotFound
from caravan.http.auth import acl_for, authorize, authorize_lookup, namespace_filter
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options
from caravan.structs import Evaluation


async def list_evals(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "evals")
    ns = request.query_params.get("namespace", "default") or "default"
    await authorize(request, NS.READ_JOB, ns)
    visible = namespace_filter(await acl_for(request), NS.READ_JOB)
    evals = server_of(request).evals.list_evals(ns, opts.prefix, visible)
    return json_response(evals, index=index, pretty=opts.pretty)


async def _eval_or_404(request: Request) -> Evaluation:
    ev = server_of(request).evals.find(request.path_params["eval_id"])
    await authorize_lookup(request, NS.READ_JOB, ev.namespace if ev else None)
    if ev is None:
        raise NotFound("eval not found")
    return ev


async def read_eval(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "evals")
    return json_response(await _eval_or_404(request), index=index, pretty=opts.pretty)


async def eval_allocs(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "allocs")
    ev = await _eval_or_404(request)
    return json_response(server_of(request).evals.allocations(ev.id), index=index,
                         pretty=opts.pretty)


routes = [
    Route("/v1/evaluations", list_evals, methods=["GET"]),
    Route("/v1/evaluation/{eval_id}", read_eval, methods=["GET"]),
    Route("/v1/evaluation/{eval_id}/allocations", eval_allocs, methods=["GET"]),
]
