"""`/v1/operator/scheduler/configuration`: GET (operator:read) answers Nomad's
SchedulerConfigurationResponse; PUT/POST (operator:write) takes a SchedulerConfiguration,
with `?cas=<ModifyIndex>` for a check-and-set, and answers `{"Updated", "Index"}`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Coarse
from caravan.errors import InvalidInput
from caravan.http.auth import acl_for, authorize
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.state.scheduler_config_table import TABLE
from caravan.structs.operator import (
    SchedulerConfiguration,
    SchedulerConfigurationResponse,
    SchedulerSetConfigurationResponse,
)


async def check_registration(request: Request) -> None:
    """403 while `RejectJobRegistration` is on, unless the token is a management token
    (with ACLs off, nobody may: Nomad's rule)."""
    acl = await acl_for(request)
    server_of(request).operator_config.check_registration(
        acl is not None and acl.is_management)


async def read_config(request: Request) -> Response:
    opts = query_options(request)
    await authorize(request, Coarse.OPERATOR_READ)
    index = await blocking_index(request, opts, TABLE)
    config = server_of(request).operator_config.get()
    return json_response(SchedulerConfigurationResponse(scheduler_config=config,
                                                        index=index),
                         index=index, pretty=opts.pretty)


async def write_config(request: Request) -> Response:
    await authorize(request, Coarse.OPERATOR_WRITE)
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput("request body must be a SchedulerConfiguration object")
    config = SchedulerConfiguration.model_validate(body)
    cas = request.query_params.get("cas")
    if cas is not None and not cas.isdigit():
        raise InvalidInput(f'invalid cas "{cas}": must be an index')
    updated, index = server_of(request).operator_config.set(
        config, int(cas) if cas is not None else None)
    return json_response(SchedulerSetConfigurationResponse(updated=updated, index=index),
                         index=index)


routes = [Route("/v1/operator/scheduler/configuration", read_config, methods=["GET"]),
          Route("/v1/operator/scheduler/configuration", write_config,
                methods=["PUT", "POST"])]
