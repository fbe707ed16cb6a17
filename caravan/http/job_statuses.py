"""`GET|POST /v1/jobs/statuses` (Nomad 1.8): jobs with their allocations and deployment.

    GET  ?namespace=  ?include_children=true  ?per_page=N&next_token=T  ?index= (blocks)
    POST {"Jobs": [{"ID": "web", "Namespace": "default"}], "IncludeChildren": false}

A POST names the jobs it wants (namespace "*" unless `?namespace=` says otherwise,
as in Nomad). The caller needs read-job in the namespace; with "*" each job's own
namespace decides.
"""

from __future__ import annotations

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl.capabilities import NamespaceCapability as NS
from caravan.errors import InvalidInput
from caravan.http.auth import acl_for, authorize, namespace_filter
from caravan.http.context import server_of
from caravan.http.query import (
    blocking_index,
    json_response,
    parse_bool,
    query_options,
    read_json,
)
from caravan.server.job_statuses import JobKey, StatusQuery

_TABLES = ("jobs", "allocs", "deployments")


async def statuses(request: Request) -> Response:
    opts = query_options(request)
    params = request.query_params
    children = parse_bool(params.get("include_children"), "include_children")
    namespace = opts.namespace
    wanted: frozenset[JobKey] = frozenset()
    if request.method == "POST":
        wanted, children = await _wanted(request, children)
        if "namespace" not in params:
            namespace = "*"
        if len({ns for ns, _ in wanted}) == 1:
            namespace = next(iter(wanted))[0]
    await authorize(request, NS.READ_JOB, namespace)
    visible = namespace_filter(await acl_for(request), NS.READ_JOB)
    query = StatusQuery(
        namespaces=lambda ns: namespace in ("*", ns) and visible(ns),
        include_children=children, jobs=wanted, per_page=_int(params, "per_page"),
        next_token=_int(params, "next_token") if params.get("next_token") else None)
    index = await blocking_index(request, opts, *_TABLES)
    page, token = server_of(request).job_statuses.page(query)
    reply = json_response(page, index=index)
    if token:
        reply.headers["X-Nomad-NextToken"] = token
    return reply


async def _wanted(request: Request, children: bool) -> tuple[frozenset[JobKey], bool]:
    body = await read_json(request, required=False)
    jobs = body.get("Jobs") if isinstance(body, dict) else None
    if not isinstance(jobs, list) or not jobs:
        raise InvalidInput("no jobs in request")
    wanted = set()
    for job in jobs:
        if not isinstance(job, dict) or not isinstance(job.get("ID"), str):
            raise InvalidInput('error decoding request: each of "Jobs" needs an "ID" string')
        wanted.add((str(job.get("Namespace") or "default"), job["ID"]))
    return frozenset(wanted), children or bool(body.get("IncludeChildren"))


def _int(params: QueryParams, name: str) -> int:
    raw = params.get(name, "") or "0"
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"Invalid {name}: {raw!r} is not a number") from None
    if value < 0:
        raise InvalidInput(f"Invalid {name}: must not be negative")
    return value


routes = [Route("/v1/jobs/statuses", statuses, methods=["GET", "POST"])]
