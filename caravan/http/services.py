"""Routes of Nomad's built-in service provider: /v1/services, /v1/service/<name>, and the
services of one allocation or job. Reads need `read-job`, a delete `submit-job`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import NotFound
from caravan.http.auth import (
    acl_for,
    authorize,
    authorize_lookup,
    caller_for,
    namespace_filter,
)
from caravan.http.context import server_of
from caravan.http.job_subroutes import job_route
from caravan.http.query import blocking_index, json_response, query_options

TABLE = "services"


async def _authorize_read(request: Request, namespace: str) -> bool:
    """`read-job`, or a task's workload identity reading its own namespace (Nomad lets
    a task's templates discover services that way). True for a workload identity."""
    caller = await caller_for(request)
    if caller is not None and caller.claim is not None and caller.claim.namespace == namespace:
        return True
    await authorize(request, NS.READ_JOB, namespace)
    return False


async def list_services(request: Request) -> Response:
    opts = query_options(request)
    as_task = await _authorize_read(request, opts.namespace)
    index = await blocking_index(request, opts, TABLE)
    visible = (lambda ns: ns == opts.namespace) if as_task else \
        namespace_filter(await acl_for(request), NS.READ_JOB)
    listed = server_of(request).services.list_services(opts.namespace, visible)
    return json_response(listed, index=index, pretty=opts.pretty)


async def read_service(request: Request) -> Response:
    opts = query_options(request)
    await _authorize_read(request, opts.namespace)
    index = await blocking_index(request, opts, TABLE)
    regs = server_of(request).services.read_service(opts.namespace,
                                                    request.path_params["name"])
    return json_response(regs, index=index, pretty=opts.pretty)


async def delete_service(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.SUBMIT_JOB, opts.namespace)
    index = server_of(request).services.delete(opts.namespace, request.path_params["name"],
                                               request.path_params["reg_id"])
    return json_response(None, index=index)


async def alloc_services(request: Request) -> Response:
    opts = query_options(request)
    server = server_of(request)
    alloc = server.allocs.find(request.path_params["alloc_id"])
    await authorize_lookup(request, NS.READ_JOB, alloc.namespace if alloc else None)
    if alloc is None:
        raise NotFound("alloc not found")
    index = await blocking_index(request, opts, TABLE)
    return json_response(server.services.by_alloc(alloc.id), index=index, pretty=opts.pretty)


async def job_services(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, TABLE)
    regs = server_of(request).services.by_job(opts.namespace, request.path_params["job_id"])
    return json_response(regs, index=index, pretty=opts.pretty)


routes = [
    Route("/v1/services", list_services, methods=["GET"]),
    Route("/v1/service/{name}", read_service, methods=["GET"]),
    Route("/v1/service/{name}/{reg_id}", delete_service, methods=["DELETE"]),
    Route("/v1/allocation/{alloc_id}/services", alloc_services, methods=["GET"]),
    job_route("services", job_services),  # any other method: 405, never the job itself
]
