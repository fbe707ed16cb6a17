"""Routes of deployments, with Nomad's paths (the action before the ID, as python-nomad
calls them): /v1/deployments, /v1/deployment/<id>, /v1/deployment/allocations/<id>,
/v1/deployment/{promote,pause,fail,allocation-health}/<id>, and a job's
/v1/job/<id>/deployments and /v1/job/<id>/deployment."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput
from caravan.http.auth import acl_for, authorize, authorize_lookup, namespace_filter
from caravan.http.context import server_of
from caravan.http.job_subroutes import job_route
from caravan.http.query import blocking_index, json_response, parse_bool, query_options, read_json
from caravan.server.deployments.endpoint import DeploymentEndpoint
from caravan.structs import Deployment, DeploymentUpdateResponse

_TABLES = ("deployments",)
_WRITE = ["PUT", "POST"]


def _endpoint(request: Request) -> DeploymentEndpoint:
    return server_of(request).deployments


async def _deployment(request: Request, capability: NS) -> Deployment:
    found = _endpoint(request).find(request.path_params["id"])
    await authorize_lookup(request, capability, found.namespace if found else None)
    return _endpoint(request).get(request.path_params["id"])


async def list_deployments(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, *_TABLES)
    await authorize(request, NS.READ_JOB, opts.namespace)
    visible = namespace_filter(await acl_for(request), NS.READ_JOB)
    found = [d for d in _endpoint(request).list_deployments(opts.namespace, opts.prefix)
             if visible(d.namespace)]
    return json_response(found, index=index, pretty=opts.pretty)


async def read_deployment(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, *_TABLES)
    return json_response(await _deployment(request, NS.READ_JOB), index=index,
                         pretty=opts.pretty)


async def deployment_allocs(request: Request) -> Response:
    opts = query_options(request)
    index = await blocking_index(request, opts, "allocs")
    d = await _deployment(request, NS.READ_JOB)
    return json_response(_endpoint(request).allocations(d.id), index=index, pretty=opts.pretty)


async def _body(request: Request) -> dict[str, Any]:
    """The JSON object sent, its keys lower-cased: Go's decoder matches keys in any case
    (python-nomad sends `UnHealthyAllocationIDs`)."""
    body = await read_json(request, required=False)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    return {str(k).lower(): v for k, v in body.items()}


def _strings(body: dict[str, Any], key: str) -> list[str]:
    value = body.get(key.lower()) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidInput(f'"{key}" must be a list of strings')
    return value


def _updated(reply: DeploymentUpdateResponse) -> Response:
    return json_response(reply, index=reply.index)


async def promote(request: Request) -> Response:
    d = await _deployment(request, NS.SUBMIT_JOB)
    body = await _body(request)
    groups = None if body.get("all") else _strings(body, "Groups")
    if groups == []:
        raise InvalidInput('give "All": true or the "Groups" to promote')
    return _updated(_endpoint(request).promote(d.id, groups))


async def pause(request: Request) -> Response:
    d = await _deployment(request, NS.SUBMIT_JOB)
    body = await _body(request)
    return _updated(_endpoint(request).pause(d.id, bool(body.get("pause"))))


async def fail(request: Request) -> Response:
    d = await _deployment(request, NS.SUBMIT_JOB)
    return _updated(_endpoint(request).fail(d.id))


async def allocation_health(request: Request) -> Response:
    d = await _deployment(request, NS.SUBMIT_JOB)
    body = await _body(request)
    return _updated(_endpoint(request).set_health(
        d.id, _strings(body, "HealthyAllocationIDs"), _strings(body, "UnhealthyAllocationIDs")))


async def job_deployments(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, *_TABLES)
    all_jobs = parse_bool(request.query_params.get("all"), "all")
    found = _endpoint(request).by_job(opts.namespace, request.path_params["job_id"],
                                      all_jobs=all_jobs)
    return json_response(found, index=index, pretty=opts.pretty)


async def job_deployment(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, *_TABLES)
    latest = _endpoint(request).latest(opts.namespace, request.path_params["job_id"])
    return json_response(latest, index=index, pretty=opts.pretty)


routes = [
    Route("/v1/deployments", list_deployments, methods=["GET"]),
    Route("/v1/deployment/allocations/{id}", deployment_allocs, methods=["GET"]),
    Route("/v1/deployment/promote/{id}", promote, methods=_WRITE),
    Route("/v1/deployment/pause/{id}", pause, methods=_WRITE),
    Route("/v1/deployment/fail/{id}", fail, methods=_WRITE),
    Route("/v1/deployment/allocation-health/{id}", allocation_health, methods=_WRITE),
    Route("/v1/deployment/{id}", read_deployment, methods=["GET"]),
    job_route("deployments", job_deployments),
    job_route("deployment", job_deployment),
]
