"""`/v1/job/<id>/periodic/force`: launch a periodic job's child now (Nomad's reply shape)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from caravan.acl import NamespaceCapability as NS
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.job_subroutes import job_route
from caravan.http.query import json_response, query_options
from caravan.structs.responses import PeriodicForceResponse


async def force(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, (NS.DISPATCH_JOB, NS.SUBMIT_JOB, NS.FORCE_PERIODIC_JOB),
                    opts.namespace)
    ev, index = server_of(request).periodic.force(opts.namespace,
                                                  request.path_params["job_id"])
    return json_response(PeriodicForceResponse(eval_id=ev.id if ev else "",
                                               eval_create_index=index, index=index),
                         index=index)


routes = [job_route("periodic/force", force, method=("PUT", "POST"))]
