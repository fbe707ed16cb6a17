"""Routes under /v1/evaluations (list, filters, pages, delete) and /v1/evaluation/<id>."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import acl_for, authorize, authorize_lookup, namespace_filter
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server import eval_delete
from caravan.structs import Evaluation


async def list_evals(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "evals")
    ns = request.query_params.get("namespace", "default") or "default"
    await authorize(request, NS.READ_JOB, ns)
    visible = namespace_filter(await acl_for(request), NS.READ_JOB)
    q = request.query_params
    evals = server_of(request).evals.list_evals(ns, opts.prefix, visible,
                                                job_id=q.get("job", ""),
                                                status=q.get("status", ""))
    page, next_token = paginate(evals, q.get("per_page", ""), q.get("next_token", ""))
    response = json_response(page, index=index, pretty=opts.pretty)
    if next_token:
        response.headers["X-Nomad-NextToken"] = next_token
    return response


def paginate(evals: list[Evaluation], per_page: str, next_token: str
             ) -> tuple[list[Evaluation], str]:
    """Nomad's pagination: `per_page` rows from the one `next_token` names
    (`<CreateIndex>.<ID>`), and the token of the row after them."""
    try:
        size = int(per_page or "0")
    except ValueError:
        raise InvalidInput(f'invalid per_page "{per_page}": must be an integer') from None
    if next_token:
        index, _, eval_id = next_token.partition(".")
        if not index.isdigit():
            raise InvalidInput(f'invalid next_token "{next_token}"')
        start = (int(index), eval_id)   # the list runs newest first
        evals = [e for e in evals if (e.create_index, e.id) <= start]
    if size <= 0 or len(evals) <= size:
        return evals, ""
    return evals[:size], _token(evals[size])


def _token(ev: Evaluation) -> str:
    return f"{ev.create_index}.{ev.id}"


async def delete_evals(request: Request) -> Response:
    """Nomad's EvalDeleteRequest by `EvalIDs` (management only, eval broker paused)."""
    await authorize(request, Coarse.MANAGEMENT)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput('request body must be {"EvalIDs": [...]}')
    ids, filter_ = body.get("EvalIDs") or [], body.get("Filter") or ""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise InvalidInput("EvalIDs must be a list of evaluation IDs")
    if filter_ and ids:
        raise InvalidInput("evals cannot be deleted by both ID and filter")
    if filter_:
        raise InvalidInput("deleting evaluations by filter is not supported by caravan: "
                           "name them in EvalIDs")
    count, index = eval_delete.delete_evals(server_of(request).core, ids)
    return json_response({"Count": count, "Index": index}, index=index)


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
    Route("/v1/evaluations", delete_evals, methods=["DELETE"]),
    Route("/v1/evaluation/{eval_id}", read_eval, methods=["GET"]),
    Route("/v1/evaluation/{eval_id}/allocations", eval_allocs, methods=["GET"]),
]
