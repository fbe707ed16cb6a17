"""The base every sub-API (jobs, allocations, ...) builds on: typed reads and writes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import TypeAdapter, ValidationError

from caravan.api.errors import APIDecodeError
from caravan.api.query import QueryMeta, QueryOptions

if TYPE_CHECKING:
    from caravan.api.client import Client

T = TypeVar("T")


def decode(adapter: TypeAdapter[T], data: Any, path: str) -> T:
    """Parse a JSON body into its model; a wrong shape is an APIDecodeError."""
    try:
        return adapter.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise APIDecodeError(path, f"{where}: {first['msg']}") from exc


class SubAPI:
    def __init__(self, client: Client) -> None:
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
