"""Routes under /v1/acl: bootstrap, policies and tokens (400 `ACL support disabled` when off).

Who may do what is decided by the server's ACL endpoint from the resolved caller:
management tokens do everything; other tokens read the policies they hold and
their own token.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.acl import Caller
from caravan.errors import InvalidInput
from caravan.http.auth import acl_endpoint, caller_for
from caravan.http.query import blocking_index, json_response, query_options, read_json
from caravan.server.acl_endpoint import ACLEndpoint, POLICY_TABLE, TOKEN_TABLE
from caravan.structs.acl import ACLBootstrapRequest, ACLPolicy, ACLToken


async def _endpoint(request: Request) -> tuple[ACLEndpoint, Caller]:
    endpoint = acl_endpoint(request.app.state.ctx)
    endpoint.check_enabled()
    caller = await caller_for(request)
    assert caller is not None  # ACLs are enabled, so a caller was resolved
    return endpoint, caller


def _written(index: int) -> Response:
    """Nomad answers policy writes and deletes with an empty body and the index."""
    return Response(b"", headers={"X-Nomad-Index": str(index)})


async def bootstrap(request: Request) -> Response:
    endpoint = acl_endpoint(request.app.state.ctx)
    endpoint.check_enabled()
    raw = await read_json(request, required=False)
    body = ACLBootstrapRequest.model_validate(raw or {})
    token, index = endpoint.bootstrap(body.bootstrap_secret)
    return json_response(token, index=index)


async def list_policies(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    opts = query_options(request)
    index = await blocking_index(request, opts, POLICY_TABLE)
    stubs, _ = endpoint.list_policies(caller, opts.prefix)
    return json_response(stubs, index=index, pretty=opts.pretty)


async def read_policy(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    opts = query_options(request)
    await blocking_index(request, opts, POLICY_TABLE)
    policy, index = endpoint.get_policy(caller, request.path_params["name"])
    return json_response(policy, index=index, pretty=opts.pretty)


async def write_policy(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    policy = ACLPolicy.model_validate(await read_json(request))
    if policy.name != request.path_params["name"]:
        raise InvalidInput("ACL policy name does not match request path")
    return _written(endpoint.upsert_policy(caller, policy))


async def delete_policy(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    return _written(endpoint.delete_policy(caller, request.path_params["name"]))


async def list_tokens(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    opts = query_options(request)
    index = await blocking_index(request, opts, TOKEN_TABLE)
    stubs, _ = endpoint.list_tokens(caller, opts.prefix)
    return json_response(stubs, index=index, pretty=opts.pretty)


async def self_token(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    token, index = endpoint.self_token(caller)
    return json_response(token, index=max(index, 1))


async def read_token(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    opts = query_options(request)
    await blocking_index(request, opts, TOKEN_TABLE)
    token, index = endpoint.get_token(caller, request.path_params["accessor"])
    return json_response(token, index=index, pretty=opts.pretty)


async def write_token(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    token = ACLToken.model_validate(await read_json(request))
    accessor = request.path_params.get("accessor")
    if accessor is not None and token.accessor_id != accessor:
        raise InvalidInput("ACL token accessor does not match request path")
    stored, index = endpoint.upsert_token(caller, token)
    return json_response(stored, index=index)


async def delete_token(request: Request) -> Response:
    endpoint, caller = await _endpoint(request)
    return _written(endpoint.delete_token(caller, request.path_params["accessor"]))


routes = [
    Route("/v1/acl/bootstrap", bootstrap, methods=["PUT", "POST"]),
    Route("/v1/acl/policies", list_policies, methods=["GET"]),
    Route("/v1/acl/policy/{name}", read_policy, methods=["GET"]),
    Route("/v1/acl/policy/{name}", write_policy, methods=["PUT", "POST"]),
    Route("/v1/acl/policy/{name}", delete_policy, methods=["DELETE"]),
    Route("/v1/acl/tokens", list_tokens, methods=["GET"]),
    Route("/v1/acl/token", write_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/self", self_token, methods=["GET"]),
    Route("/v1/acl/token/{accessor}", read_token, methods=["GET"]),
    Route("/v1/acl/token/{accessor}", write_token, methods=["PUT", "POST"]),
    Route("/v1/acl/token/{accessor}", delete_token, methods=["DELETE"]),
]
