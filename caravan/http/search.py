"""`/v1/search` and `/v1/search/fuzzy` (PUT or POST), Nomad's shapes:

    {"Prefix": "ab", "Context": "allocs"}   ->  {"Matches": {"allocs": [...]},
    {"Text": "web", "Context": "all"}            "Truncations": {"allocs": false}}

The namespace comes from `?namespace=`, else the body's `Namespace`, else `default`;
"*" searches every namespace the token may read.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.errors import InvalidInput, PermissionDenied
from caravan.http.auth import acl_for
from caravan.http.context import server_of
from caravan.http.query import json_response, read_json
from caravan.server.search import ALL, CONTEXTS, MIN_TERM_LENGTH
from caravan.server.search.contexts import ALL_NAMESPACES, context_allowed


async def _body(request: Request, text_field: str) -> tuple[str, str, str]:
    body = await read_json(request)
    if not isinstance(body, dict):
        raise InvalidInput("search request: the body must be a JSON object")
    text, context = body.get(text_field, ""), body.get("Context", "")
    if not isinstance(text, str) or not isinstance(context, str):
        raise InvalidInput(f"search request: {text_field} and Context must be strings")
    if context not in (ALL, *CONTEXTS):
        raise InvalidInput(f'search request: unknown Context "{context}"; one of '
                           f'{", ".join((ALL, *CONTEXTS))}')
    namespace = request.query_params.get("namespace") or body.get("Namespace") or "default"
    if not isinstance(namespace, str):
        raise InvalidInput("search request: Namespace must be a string")
    return text, context, namespace


async def prefix(request: Request) -> Response:
    text, context, namespace = await _body(request, "Prefix")
    acl = await acl_for(request)
    if context != ALL and namespace != ALL_NAMESPACES and \
            not context_allowed(acl, context, namespace):
        raise PermissionDenied()
    result, index = server_of(request).search.prefix(acl, text, context, namespace)
    return _answer(result.matches, result.truncations, index)


async def fuzzy(request: Request) -> Response:
    text, context, namespace = await _body(request, "Text")
    acl = await acl_for(request)
    if context != ALL and namespace != ALL_NAMESPACES and \
            not context_allowed(acl, context, namespace):
        raise PermissionDenied()
    if len(text) < MIN_TERM_LENGTH:
        raise InvalidInput(f"fuzzy search query must be at least {MIN_TERM_LENGTH} "
                           f"characters, got {len(text)}")
    result, index = server_of(request).search.fuzzy(acl, text, context, namespace)
    return _answer(result.matches, result.truncations, index)


def _answer(matches: dict[str, Any], truncations: dict[str, bool], index: int) -> Response:
    return json_response({"Matches": matches, "Truncations": truncations}, index=index)


routes = [
    Route("/v1/search", prefix, methods=["PUT", "POST"]),
    Route("/v1/search/fuzzy", fuzzy, methods=["PUT", "POST"]),
]
