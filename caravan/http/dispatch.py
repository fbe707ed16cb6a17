"""`/v1/job/<id>/dispatch`: dispatch a parameterized job (Nomad's request and reply)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.job_subroutes import job_route
from caravan.http.operator_scheduler import check_registration
from caravan.http.query import json_response, query_options, read_json
from caravan.server.dispatch import decode_payload
from caravan.structs.responses import JobDispatchResponse


def _meta(body: dict[str, Any]) -> dict[str, str]:
    meta = body.get("Meta") or {}
    if not isinstance(meta, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in meta.items()):
        raise InvalidInput('"Meta" must be an object of strings')
    return meta


def _string(body: dict[str, Any], key: str) -> str:
    value = body.get(key) or ""
    if not isinstance(value, str):
        raise InvalidInput(f'"{key}" must be a string')
    return value


async def dispatch(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, NS.DISPATCH_JOB, opts.namespace)
    await check_registration(request)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a JSON object")
    job_id = request.path_params["job_id"]
    if _string(body, "JobID") not in ("", job_id):
        raise InvalidInput("Job ID does not match")
    child, ev, index = server_of(request).dispatcher.dispatch(
        opts.namespace, job_id, decode_payload(_string(body, "Payload")), _meta(body),
        _string(body, "IdPrefixTemplate"))
    return json_response(JobDispatchResponse(
        dispatched_job_id=child.id, eval_id=ev.id if ev else "",
        eval_create_index=index if ev else 0, job_create_index=index, index=index),
        index=index)


routes = [job_route("dispatch", dispatch, method=("PUT", "POST"))]
