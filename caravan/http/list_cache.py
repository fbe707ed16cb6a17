"""Serialization once per write for the large lists (`GET /v1/jobs`, `/v1/allocations`).

A list answer is the JSON of one stub per item; building and dumping pydantic stubs was
most of a read's time, and reads outnumber writes by far (every UI, every blocking
query woken by a write asks again). Each item's JSON text is kept with what it was
built from and reused until that changes:

    allocations  the allocation object and its modify_index (the store stamps a new
                 index on every write of an allocation and never edits one in place)
    jobs         the job object and the store's index (a job's stub also shows its
                 allocations' and evaluations' states, so any write may change it)

Filtering (namespace, prefix, ACL) still runs per request, on the items; only their
text is shared. A pretty answer is built afresh (rare, and for humans).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from caravan.http.context import agent_of
from caravan.http.query import index_headers

_PRUNE_SLACK = 1024


class ListCache:
    """JSON text of list items, each with the object and version it was built from."""

    def __init__(self) -> None:
        self._items: dict[Hashable, tuple[object, int, str]] = {}

    def text(self, key: Hashable, source: object, version: int,
             build: Callable[[], BaseModel]) -> str:
        entry = self._items.get(key)
        if entry is not None and entry[0] is source and entry[1] == version:
            return entry[2]
        text = json.dumps(build().model_dump(mode="json", by_alias=True))
        self._items[key] = (source, version, text)
        return text

    def prune(self, live: int) -> None:
        """Drop everything once far more is kept than a list shows (items deleted)."""
        if len(self._items) > 2 * live + _PRUNE_SLACK:
            self._items.clear()


def cache_of(request: Request, name: str) -> ListCache:
    """The agent's cache for list `name` (one per agent: never shared between agents)."""
    caches = agent_of(request).caches
    cache = caches.get(f"list:{name}")
    if not isinstance(cache, ListCache):
        cache = caches[f"list:{name}"] = ListCache()
    return cache


def list_response(texts: list[str], index: int) -> Response:
    """The answer `json_response` would give for the list, byte for byte."""
    return Response("[" + ", ".join(texts) + "]", media_type="application/json",
                    headers=index_headers(index))
