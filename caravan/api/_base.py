"""The base every sub-API (jobs, allocations, ...) builds on: typed reads and writes.

Sub-APIs see the HTTP client only through `Requests`, the three request shapes
`client.Client` offers; so `client.py` may import the sub-APIs and nothing here
imports it back.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any, Protocol, TypeVar

import httpx
from pydantic import TypeAdapter, ValidationError

from caravan.api.errors import APIDecodeError
from caravan.api.query import QueryMeta, QueryOptions

T = TypeVar("T")


class Requests(Protocol):
    """What a sub-API needs from `client.Client`: its address and three request shapes."""

    address: str

    def query(self, path: str, q: QueryOptions | None = None) -> tuple[Any, QueryMeta]: ...

    def write(
        self, method: str, path: str, body: Any = None, q: QueryOptions | None = None
    ) -> Any: ...

    def stream(
        self, path: str, q: QueryOptions | None = None
    ) -> AbstractContextManager[httpx.Response]: ...


def decode(adapter: TypeAdapter[T], data: Any, path: str) -> T:
    """Parse a JSON body into its model; a wrong shape is an APIDecodeError."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise APIDecodeError(path, f"{where}: {first['msg']}") from exc


class SubAPI:
    def __init__(self, client: Requests) -> None:
        self._client = client

    def _read(
        self, path: str, adapter: TypeAdapter[T], q: QueryOptions | None
    ) -> tuple[T, QueryMeta]:
        data, meta = self._client.query(path, q)
        return decode(adapter, data, path), meta

    def _write(
        self, method: str, path: str, adapter: TypeAdapter[T], body: Any = None,
        q: QueryOptions | None = None,
    ) -> T:
        data = self._client.write(method, path, body, q)
        return decode(adapter, data if data is not None else {}, path)
