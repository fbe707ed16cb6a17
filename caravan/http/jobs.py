"""Routes under /v1/jobs and /v1/job/<id>: translation between HTTP and the job endpoint."""

from __future__ import annotations

import asyncio
from functools import partial

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import acl_for, authorize, namespace_filter
from caravan.http.context import server_of
from caravan.http.list_cache import cache_of, list_response
from caravan.http.job_subroutes import job_route, not_implemented_routes, parent_job_id
from caravan.http.operator_scheduler import check_registration
from caravan.http.query import blocking_index, json_response, parse_bool, query_options, read_json
from caravan.jobspec import hcl_to_api_json
from caravan.jobspec.request import register_request
from caravan.structs.diff import version_diffs
from caravan.structs import (
    Job,
    JobDeregisterResponse,
    JobParseRequest,
    JobRegisterRequest,
    JobRegisterResponse,
    canonicalize,
)

_JOB_TABLES = ("jobs", "allocs", "evals")


async def list_jobs(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.LIST_JOBS, opts.namespace)
    visible = namespace_filter(await acl_for(request), NS.LIST_JOBS)
    index = await blocking_index(request, opts, *_JOB_TABLES)
    server = server_of(request)
    if opts.pretty:
        stubs = server.jobs.list_jobs(opts.namespace, opts.prefix, visible)
        return json_response(stubs, index=index, pretty=True)
    jobs = server.jobs.listed(opts.namespace, opts.prefix, visible)
    cache, version = cache_of(request, "jobs"), server.index
    texts = [cache.text((j.namespace, j.id), j, version, partial(server.jobs.list_stub, j))
             for j in jobs]
    cache.prune(len(jobs))
    return list_response(texts, index)


async def register(request: Request) -> Response:
    # Someone who may submit jobs nowhere does not get a large body decoded.
    await authorize(request, (NS.SUBMIT_JOB, NS.REGISTER_JOB), "*")
    # Decoding, canonicalizing and validating a large job takes seconds of CPU (a 7 MB job of
    # 30,000 groups about 14 s): in a thread, so the event loop keeps serving; only the
    # commit runs on the loop. The body is checked by the job file's rules: a field caravan
    # does not implement is a 400 naming it, never dropped.
    body = await asyncio.to_thread(register_request, await read_json(request))
    path_id = request.path_params.get("job_id")
    job = _job_from(body, request)
    if path_id is not None and job.id != path_id:
        if path_id.startswith(f"{job.id}/"):  # /v1/job/<id>/<unknown sub-route>
            raise NotFound("Invalid URL path")
        raise InvalidInput("Job ID does not match name")
    await authorize(request, (NS.SUBMIT_JOB, NS.REGISTER_JOB), job.namespace)
    await check_registration(request)
    endpoint = server_of(request).jobs
    checked = await asyncio.to_thread(endpoint.check, job)
    ev, index, job_modify_index = endpoint.register(
        checked, checked=True,
        enforce_index=body.job_modify_index if body.enforce_index else None)
    return json_response(JobRegisterResponse(
        eval_id=ev.id if ev else "", eval_create_index=index if ev else 0, job_modify_index=job_modify_index,
        index=index), index=index)


def _job_from(body: JobRegisterRequest, request: Request) -> Job:
    if body.job is None:
        raise InvalidInput("Job must be specified")
    job = body.job
    if not job.id:
        raise InvalidInput("Job ID hasn't been provided")
    return job_in_namespace(job, request.query_params.get("namespace") or body.namespace)


def job_in_namespace(job: Job, ns: str) -> Job:
    """The request's namespace (query, else body) for a job that names none of its own."""
    if ns and job.namespace in ("", "default") and ns != "default":
        job = job.model_copy(update={"namespace": ns})
    return job


async def parse(request: Request) -> Response:
    await authorize(request, (NS.PARSE_JOB, NS.SUBMIT_JOB), query_options(request).namespace)
    body = JobParseRequest.model_validate(await read_json(request))
    if not body.job_hcl.strip():
        raise InvalidInput("Job spec is empty")
    try:
        # Seconds of pure-Python CPU for a large file: in a thread, so the event loop (every
        # other request, heartbeats included) keeps its turns.
        # Variables as Nomad takes them: a variables file's content; file() is refused here.
        parsed = await asyncio.to_thread(hcl_to_api_json, body.job_hcl, filename="<JobHCL>",
                                         variables=body.variables)
    except InvalidInput as e:
        raise InvalidInput(f"Failed to parse job: {e}") from None
    if body.canonicalize:
        parsed = canonicalize(Job.model_validate(parsed)).to_wire()
    return json_response(parsed)


async def read_job(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, *_JOB_TABLES)
    job_id = request.path_params["job_id"]
    try:
        job = server_of(request).jobs.get(opts.namespace, job_id)
    except NotFound:
        _unknown_sub_route(request, opts.namespace, job_id)
        raise
    return json_response(job, index=index, pretty=opts.pretty)


def _unknown_sub_route(request: Request, namespace: str, job_id: str) -> None:
    """`a/b` is no job but `a` is: `b` is a sub-route Nomad does not have either."""
    parent = parent_job_id(job_id)
    if parent is not None and server_of(request).jobs.exists(namespace, parent):
        raise NotFound("Invalid URL path")


async def deregister(request: Request) -> Response:
    opts = query_options(request)
    purge = parse_bool(request.query_params.get("purge"), "purge")
    needed = (NS.SUBMIT_JOB, NS.PURGE_JOB) if purge else (NS.SUBMIT_JOB, NS.PURGE_JOB,
                                                          NS.DEREGISTER_JOB)
    await authorize(request, needed, opts.namespace)
    job_id = request.path_params["job_id"]
    try:
        ev, index = server_of(request).jobs.deregister(opts.namespace, job_id, purge=purge)
    except NotFound:
        _unknown_sub_route(request, opts.namespace, job_id)
        raise
    return json_response(JobDeregisterResponse(eval_id=ev.id if ev else "",
                                               eval_create_index=index if ev else 0,
                                               job_modify_index=index, index=index), index=index)


async def versions(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, "job_versions")
    found = server_of(request).jobs.versions(opts.namespace, request.path_params["job_id"])
    diffs = version_diffs(found) if parse_bool(request.query_params.get("diffs"), "diffs") \
        else None
    return json_response({"Versions": found, "Diffs": diffs}, index=index, pretty=opts.pretty)


async def allocations(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, "allocs")
    show_all = parse_bool(request.query_params.get("all"), "all")
    stubs = server_of(request).jobs.allocations(opts.namespace, request.path_params["job_id"],
                                                all_versions=show_all)
    return json_response(stubs, index=index, pretty=opts.pretty)


async def evaluations(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, "evals")
    evals = server_of(request).jobs.evaluations(opts.namespace, request.path_params["job_id"])
    return json_response(evals, index=index, pretty=opts.pretty)


async def job_summary(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    index = await blocking_index(request, opts, *_JOB_TABLES)
    found = server_of(request).jobs.summary(opts.namespace, request.path_params["job_id"])
    return json_response(found, index=index, pretty=opts.pretty)


# Every sub-route comes before `/v1/job/{job_id:path}`, which would match it too.
routes = [
    Route("/v1/jobs", list_jobs, methods=["GET"]),
    Route("/v1/jobs", register, methods=["PUT", "POST"]),
    Route("/v1/jobs/parse", parse, methods=["PUT", "POST"]),
    job_route("versions", versions),
    job_route("allocations", allocations),
    job_route("evaluations", evaluations),
    job_route("summary", job_summary),
    *not_implemented_routes(),
    Route("/v1/job/{job_id:path}", read_job, methods=["GET"]),
    Route("/v1/job/{job_id:path}", register, methods=["PUT", "POST"]),
    Route("/v1/job/{job_id:path}", deregister, methods=["DELETE"]),
]
