"""Nomad's job actions on the exec channel: `GET /v1/job/{job_id}/action` (WebSocket) runs
a task's predefined `action` as an exec session, `GET /v1/job/{job_id}/actions` lists them.

The WebSocket takes Nomad's query (`action`, `allocID`, `task`, `group`, `tty`) and becomes
an ordinary exec session (route.serve_session): the same authorization (`alloc-exec`,
plus `alloc-node-exec` for raw_exec tasks), the same local session or relay. The action
is resolved to its command on the agent whose client runs the allocation, from the job
version that allocation runs (`Client.action_command`), as Nomad's client does; an agent
without it relays the same route, query unchanged, to the node.
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from caravan.acl import NamespaceCapability as NS
from caravan.errors import CaravanError, InvalidInput
from caravan.http.alloc_exec.kind import ExecQuery
from caravan.http.alloc_exec.route import EXEC, serve_session
from caravan.http.auth import authorize
from caravan.http.context import server_of
from caravan.http.job_subroutes import job_route
from caravan.http.query import json_response, parse_bool, query_options
from caravan.structs import Job, JobAction


def parse_action_query(job_id: str, params: QueryParams) -> tuple[str, ExecQuery]:
    """(alloc ID, the session's query); refusals are plain HTTP 400s before the upgrade."""
    alloc_id, action = params.get("allocID", ""), params.get("action", "")
    if not alloc_id:
        raise InvalidInput("must provide a valid alloc id")
    if not action:
        raise InvalidInput("must provide an action name")
    tty = parse_bool(params.get("tty"), "tty")
    path = f"/v1/job/{quote(job_id, safe='/')}/action"
    return alloc_id, ExecQuery(params.get("task", ""), [], tty, params, path,
                               action=action, job_id=job_id)


async def action_endpoint(ws: WebSocket) -> None:
    try:
        alloc_id, query = parse_action_query(ws.path_params["job_id"], ws.query_params)
    except CaravanError as err:
        await ws.send_denial_response(PlainTextResponse(err.message, status_code=err.status))
        return
    await serve_session(ws, EXEC, alloc_id, query)


def job_actions(job: Job) -> list[JobAction]:
    return [JobAction(name=a.name, command=a.command, args=a.args, task_name=task.name,
                      task_group_name=group.name)
            for group in job.task_groups for task in group.tasks for a in task.actions or []]


async def list_actions(request: Request) -> Response:
    """Nomad's `GET /v1/job/<id>/actions`: every action of the job's latest version."""
    opts = query_options(request)
    await authorize(request, NS.READ_JOB, opts.namespace)
    job = server_of(request).jobs.get(opts.namespace, request.path_params["job_id"])
    return json_response(job_actions(job), pretty=opts.pretty)


routes = [WebSocketRoute("/v1/job/{job_id:path}/action", action_endpoint),
          job_route("actions", list_actions)]
