"""Routes that change a registered job without a new spec: revert, stable, scale (and its
status), evaluate, and the dry run of a registration (plan) — Nomad's paths, bodies and replies. They come before the job routes
in the route table: `/v1/job/<id>/scale` is not a job ID ending in "/scale"."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.operator_scheduler import check_registration
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.structs import Evaluation, JobRegisterResponse
from caravan.jobspec.request import plan_request


def _registered(ev: Evaluation | None, index: int, job_modify_index: int) -> Response:
    return json_response(JobRegisterResponse(eval_id=ev.id if ev else "",
                                             eval_create_index=index if ev else 0,
                                             job_modify_index=job_modify_index, index=index),
                         index=index)


def _int(body: dict[str, Any], key: str, *, required: bool = True) -> int | None:
    value = body.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidInput(f'"{key}" must be an integer')
    return value


async def _body(request: Request) -> dict[str, Any]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    return body


async def revert(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.SUBMIT_JOB, opts.namespace)
    body = await _body(request)
    version = _int(body, "JobVersion")
    assert version is not None
    ev, index, modify = server_of(request).job_changes.revert(
        opts.namespace, request.path_params["job_id"], version,
        _int(body, "EnforcePriorVersion", required=False))
    return _registered(ev, index, modify)


async def stable(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.SUBMIT_JOB, opts.namespace)
    body = await _body(request)
    version = _int(body, "JobVersion")
    assert version is not None
    index = server_of(request).job_changes.set_stable(
        opts.namespace, request.path_params["job_id"], version, bool(body.get("Stable")))
    return json_response({"Index": index}, index=index)


async def scale(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, (NS.SCALE_JOB, NS.SUBMIT_JOB), opts.namespace)
    await check_registration(request)
    body = await _body(request)
    target = body.get("Target") or {}
    group = target.get("Group") if isinstance(target, dict) else None
    if not isinstance(group, str) or not group:
        raise InvalidInput("missing task group name for scaling action")
    count = _int(body, "Count", required=False)
    if count is None:
        raise InvalidInput("caravan scales by count: \"Count\" must be given")
    enforce = _int(body, "JobModifyIndex", required=False) if body.get("EnforceIndex") else None
    ev, index, modify = server_of(request).job_changes.scale(
        opts.namespace, request.path_params["job_id"], group, count, enforce)
    return _registered(ev, index, modify)


async def scale_status(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, (NS.READ_JOB_SCALING, NS.READ_JOB), opts.namespace)
    index = await blocking_index(request, opts, "jobs", "allocs")
    found = server_of(request).job_changes.scale_status(opts.namespace,
                                                        request.path_params["job_id"])
    return json_response(found, index=index, pretty=opts.pretty)


async def evaluate(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.SUBMIT_JOB, opts.namespace)
    ev, index, modify = server_of(request).job_changes.evaluate(
        opts.namespace, request.path_params["job_id"])
    return _registered(ev, index, modify)


async def plan(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.SUBMIT_JOB, opts.namespace)
    # The job file's rules, as at registration: an unimplemented field is a 400, not dropped.
    body = await asyncio.to_thread(plan_request, await _body(request))
    if body.job is None:
        raise InvalidInput("Job must be specified")
    job = body.job
    if not job.id:
        raise InvalidInput("Job ID hasn't been provided")
    if job.id != request.path_params["job_id"]:
        raise InvalidInput("Job ID does not match")
    if opts.namespace != "default" and job.namespace in ("", "default"):
        job = job.model_copy(update={"namespace": opts.namespace})
    planned = await server_of(request).job_changes.plan(job, body.diff)
    return json_response(planned, index=planned.index)


routes = [
    Route("/v1/job/{job_id:path}/plan", plan, methods=["PUT", "POST"]),
    Route("/v1/job/{job_id:path}/revert", revert, methods=["PUT", "POST"]),
    Route("/v1/job/{job_id:path}/stable", stable, methods=["PUT", "POST"]),
    Route("/v1/job/{job_id:path}/scale", scale, methods=["PUT", "POST"]),
    Route("/v1/job/{job_id:path}/scale", scale_status, methods=["GET"]),
    Route("/v1/job/{job_id:path}/evaluate", evaluate, methods=["PUT", "POST"]),
]
