"""Nomad's `/v1/client/fs/{ls,stat,cat,readat,stream}/<alloc>`, capability `read-fs`.

Served by the agent whose client holds the allocation; any other agent forwards the
request there, as for logs. Every check (path, secrets, symlinks, directory, offset)
happens before the response starts, so an error is a 4xx with a message and never a
body cut short.
"""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from caravan.acl import NamespaceCapability as NS
from caravan.client import allocfs
from caravan.errors import InvalidInput, NotFound
from caravan.http.client_allocs import _framed, _local_or_forward
from caravan.http.context import client_of
from caravan.http.query import json_response, parse_bool


def _path(request: Request) -> str:
    path = request.query_params.get("path", "")
    if not path:
        raise InvalidInput("must provide a file name")
    return path


def _int(request: Request, name: str) -> int:
    raw = request.query_params.get(name, "") or "0"
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput(f'error parsing {name}: "{raw}" is not an integer') from None


async def _alloc_dir(request: Request) -> Path | Response:
    """The local alloc dir, or the response of the agent the request went to."""
    alloc_id = request.path_params["alloc_id"]
    forwarded = await _local_or_forward(request, alloc_id, NS.READ_FS)
    if forwarded is not None:
        return forwarded
    alloc_dir = client_of(request).alloc_dir(alloc_id)
    if alloc_dir is None:  # collected since _local_or_forward saw it
        raise NotFound(f'Unknown allocation "{alloc_id}"')
    return alloc_dir


async def ls(request: Request) -> Response:
    path = request.query_params.get("path", "") or "/"
    allocfs.clean_path(path)
    where = await _alloc_dir(request)
    if isinstance(where, Response):
        return where
    return json_response(allocfs.list_dir(where, path))


async def stat(request: Request) -> Response:
    path = _path(request)
    allocfs.clean_path(path)
    where = await _alloc_dir(request)
    if isinstance(where, Response):
        return where
    return json_response(allocfs.stat_path(where, path))


async def cat(request: Request) -> Response:
    return await _read(request, _path(request), 0, 0)


async def readat(request: Request) -> Response:
    return await _read(request, _path(request), _int(request, "offset"),
                       _int(request, "limit"))


async def _read(request: Request, path: str, offset: int, limit: int) -> Response:
    allocfs.clean_path(path)
    if limit < 0:
        raise InvalidInput(f"limit {limit} must not be negative")
    where = await _alloc_dir(request)
    if isinstance(where, Response):
        return where
    f, _ = allocfs.open_file(where, path)
    try:
        start = allocfs.start_offset(f, "start", offset)
    except InvalidInput:
        f.close()
        raise
    return StreamingResponse(allocfs.read_range(f, start, limit), media_type="text/plain")


async def stream(request: Request) -> Response:
    path = _path(request)
    allocfs.clean_path(path)
    q = request.query_params
    follow = parse_bool(q.get("follow"), "follow", default=True)
    offset = _int(request, "offset")
    origin = q.get("origin", "") or "start"
    if origin not in ("start", "end"):
        raise InvalidInput("origin must be start or end")
    where = await _alloc_dir(request)
    if isinstance(where, Response):
        return where
    f, rel = allocfs.open_file(where, path)
    try:
        start = allocfs.start_offset(f, origin, offset)
    except InvalidInput:
        f.close()
        raise
    frames = allocfs.stream_file(f, where, rel, start, follow)
    return StreamingResponse(_framed(frames), media_type="application/json")


routes = [
    Route("/v1/client/fs/ls/{alloc_id}", ls, methods=["GET"]),
    Route("/v1/client/fs/stat/{alloc_id}", stat, methods=["GET"]),
    Route("/v1/client/fs/cat/{alloc_id}", cat, methods=["GET"]),
    Route("/v1/client/fs/readat/{alloc_id}", readat, methods=["GET"]),
    Route("/v1/client/fs/stream/{alloc_id}", stream, methods=["GET"]),
]
