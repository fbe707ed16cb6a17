"""Routes under /v1/scaling/: the scaling policies of jobs (Nomad's Scaling endpoint).

A Nomad policy comes from a group's `scaling` block. caravan refuses that block
(`jobspec/fields.py`: a 400 naming it), so no job holds a policy: the list is always
empty and every ID is unknown, exactly as Nomad answers a cluster whose jobs have no
`scaling` blocks. ACLs as Nomad's: list-scaling-policies (read-scaling-policy for one),
or both list-jobs and read-job, in the request's namespace.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.errors import NotFound, PermissionDenied
from caravan.http.auth import authorize
from caravan.http.query import json_response, query_options


async def _authorize(request: Request, own: NS, namespace: str) -> None:
    try:
        await authorize(request, own, namespace)
    except PermissionDenied:
        await authorize(request, NS.LIST_JOBS, namespace)
        await authorize(request, NS.READ_JOB, namespace)


async def list_policies(request: Request) -> Response:
    opts = query_options(request)
    await _authorize(request, NS.LIST_SCALING_POLICIES, opts.namespace)
    return json_response([], pretty=opts.pretty)


async def read_policy(request: Request) -> Response:
    opts = query_options(request)
    await _authorize(request, NS.READ_SCALING_POLICY, opts.namespace)
    raise NotFound("policy not found")


routes = [
    Route("/v1/scaling/policies", list_policies, methods=["GET"]),
    Route("/v1/scaling/policy/{policy_id:path}", read_policy, methods=["GET"]),
]
