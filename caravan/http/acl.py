"""Routes under /v1/acl: bootstrap, policies and tokens (400 `ACL support disabled` when off).

Who may do what is decided by the one authorization path (`http/auth.py`): management
tokens do everything; other tokens read the policies they hold and their own token.
Policy reads carry `RulesJSON` (the parsed rules, as Nomad's do), and so do the entries
of the policy list (Nomad's stubs do not): a browser learns what its token may do
from one list request instead of one read per policy.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl.rules_json import rules_json
from caravan.errors import InvalidInput, NotFound
from caravan.http.auth import (
    authorize_management,
    authorize_policy,
    authorize_token,
    caller_of,
    policy_filter,
)
from caravan.http.context import server_of
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.state.acl_tables import POLICY_TABLE, TOKEN_TABLE
from caravan.structs.acl import ACLBootstrapRequest, ACLPolicy, ACLToken
from caravan.structs.one_time_token import (
    OneTimeTokenExchangeRequest,
    OneTimeTokenExchangeResponse,
    OneTimeTokenUpsertResponse,
)


def _acl(request: Request) -> ACLEndpoint:
    """The server's ACL endpoint, once ACLs are known to be enabled."""
    endpoint = server_of(request).acl
    endpoint.check_enabled()
    return endpoint


def _written(index: int) -> Response:
    """Nomad answers policy writes and deletes with an empty body and the index."""
    return Response(b"", headers={"X-Nomad-Index": str(index)})


async def bootstrap(request: Request) -> Response:
    endpoint = _acl(request)
    raw = await read_json(request, required=False)
    body = ACLBootstrapRequest.model_validate(raw or {})
    token, index = endpoint.bootstrap(body.bootstrap_secret)
    return json_response(token, index=index)


async def list_policies(request: Request) -> Response:
    endpoint = _acl(request)
    held = await policy_filter(request)
    opts = query_options(request)
    index = await blocking_index(request, opts, POLICY_TABLE)
    policies, _ = endpoint.list_policies(opts.prefix)
    return json_response([_parsed(p.stub().to_wire(), p) for p in policies if held(p.name)],
                         index=index, pretty=opts.pretty)


async def read_policy(request: Request) -> Response:
    endpoint = _acl(request)
    await caller_of(request)
    opts = query_options(request)
    await blocking_index(request, opts, POLICY_TABLE)
    name = request.path_params["name"]
    await authorize_policy(request, name)
    policy, index = endpoint.get_policy(name)
    return json_response(_parsed(policy.to_wire(), policy), index=index, pretty=opts.pretty)


def _parsed(wire: dict[str, Any], policy: ACLPolicy) -> dict[str, Any]:
    """`wire` with Nomad's `RulesJSON` of `policy` added (stored policies always parse:
    they were checked strictly when written, and are read back leniently)."""
    return {**wire, "RulesJSON": rules_json(policy.rules)}


async def write_policy(request: Request) -> Response:
    endpoint = _acl(request)
    await caller_of(request)
    policy = ACLPolicy.model_validate(await read_json(request))
    if policy.name != request.path_params["name"]:
        raise InvalidInput("ACL policy name does not match request path")
    await authorize_management(request)
    return _written(endpoint.upsert_policy(policy))


async def delete_policy(request: Request) -> Response:
    endpoint = _acl(request)
    await authorize_management(request)
    return _written(endpoint.delete_policy(request.path_params["name"]))


async def list_tokens(request: Request) -> Response:
    endpoint = _acl(request)
    await caller_of(request)
    opts = query_options(request)
    index = await blocking_index(request, opts, TOKEN_TABLE)
    await authorize_management(request)
    stubs, _ = endpoint.list_tokens(opts.prefix)
    return json_response(stubs, index=index, pretty=opts.pretty)


async def self_token(request: Request) -> Response:
    endpoint = _acl(request)
    token, index = endpoint.self_token(await caller_of(request))
    return json_response(token, index=max(index, 1))


async def read_token(request: Request) -> Response:
    endpoint = _acl(request)
    await caller_of(request)
    opts = query_options(request)
    await blocking_index(request, opts, TOKEN_TABLE)
    token = endpoint.token(request.path_params["accessor"])
    await authorize_token(request, token)
    if token is None:
        raise NotFound("ACL token not found")
    return json_response(token, index=token.modify_index, pretty=opts.pretty)


async def write_token(request: Request) -> Response:
    endpoint = _acl(request)
    await caller_of(request)
    token = ACLToken.model_validate(await read_json(request))
    accessor = request.path_params.get("accessor")
    if accessor is not None and token.accessor_id != accessor:
        raise InvalidInput("ACL token accessor does not match request path")
    await authorize_management(request)
    stored, index = endpoint.upsert_token(token)
    return json_response(stored, index=index)


async def delete_token(request: Request) -> Response:
    endpoint = _acl(request)
    await authorize_management(request)
    return _written(endpoint.delete_token(request.path_params["accessor"]))


async def create_one_time_token(request: Request) -> Response:
    """Any real ACL token may ask (it only hands out its own rights): `caravan ui
    -authenticate`."""
    _acl(request)
    ott, index = server_of(request).one_time_tokens.create(await caller_of(request))
    return json_response(OneTimeTokenUpsertResponse(one_time_token=ott), index=index)


async def exchange_one_time_token(request: Request) -> Response:
    """The one-time secret is the credential here: no token header is needed."""
    _acl(request)
    body = OneTimeTokenExchangeRequest.model_validate(await read_json(request))
    token, index = server_of(request).one_time_tokens.exchange(body.one_time_secret_id)
    return json_response(OneTimeTokenExchangeResponse(token=token), index=index)


routes = [
    Route("/v1/acl/bootstrap", bootstrap, methods=["PUT", "POST"]),
    Route("/v1/acl/policies", list_policies, methods=["GET"]),
    Route("/v1/acl/policy/{name}", read_policy, methods=["GET"]),
    Route("/v1/acl/policy/{name}", write_policy, methods=["PUT", "POST"]),
    Route("/v1/acl/policy/{name}", delete_policy, methods=["DELETE"]),
    Route("/v1/acl/tokens", list_tokens, methods=["GET"]),
    Route("/v1/acl/token", write_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/self", self_token, methods=["GET"]),
    Route("/v1/acl/token/onetime", create_one_time_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/onetime/exchange", exchange_one_time_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/{accessor}", read_token, methods=["GET"]),
    Route("/v1/acl/token/{accessor}", write_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/{accessor}", delete_token, methods=["DELETE"]),
]
