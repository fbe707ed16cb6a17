"""`PUT /v1/validate/job`: Nomad's job validation without registering anything.

The body is decoded by the same rules as a registration, so a field caravan does not
implement is a 400 naming it, as Nomad answers a body it cannot decode. A job that
decodes is canonicalized and checked by the server's rules; what they find comes back
as 200 with `ValidationErrors` and `Error`, as in Nomad. `DriverConfigValidated` is
true as Nomad's server sets it: driver configs are decoded by the client's driver.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import InvalidInput, JobValidationError
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.jobs import job_in_namespace
from caravan.http.query import json_response, read_json
from caravan.jobspec.request import validate_request
from caravan.structs import Job, JobValidateResponse


async def validate(request: Request) -> Response:
    # Someone who may read jobs nowhere does not get a large body decoded.
    await authorize(request, NS.READ_JOB, "*")
    body = await asyncio.to_thread(validate_request, await read_json(request))
    if body.job is None:
        raise InvalidInput("Job must be specified")
    job = job_in_namespace(body.job, request.query_params.get("namespace") or body.namespace)
    await authorize(request, NS.READ_JOB, job.namespace)
    return json_response(await asyncio.to_thread(_check, request, job))


def _check(request: Request, job: Job) -> JobValidateResponse:
    try:
        server_of(request).jobs.check(job)
    except JobValidationError as e:
        return _failed([str(error) for error in e.errors], e.message)
    except InvalidInput as e:
        return _failed([e.message], e.message)
    return JobValidateResponse(driver_config_validated=True)


def _failed(errors: list[str], message: str) -> JobValidateResponse:
    return JobValidateResponse(driver_config_validated=True, validation_errors=errors,
                               error=message)


routes = [Route("/v1/validate/job", validate, methods=["PUT", "POST"])]
