"""Per-request options and per-response metadata, shared by every sub-API."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import quote


@dataclass(frozen=True)
class QueryOptions:
    """Per-request options, as in Nomad's Go `api.QueryOptions`.

    `wait_index` > 0 makes the read a blocking query: the agent answers once the
    watched data's index passes it, or after `wait_time` seconds.
    """

    namespace: str | None = None
    region: str | None = None
    prefix: str = ""
    wait_index: int = 0
    wait_time: float | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryMeta:
    """What the read's response headers said about the data."""

    last_index: int = 0
    known_leader: bool = False
    last_contact: int = 0  # milliseconds since the answering server heard the leader
    next_token: str = ""   # a paginated list's next page starts here


def path_id(value: str) -> str:
    """An ID or name made safe to embed as one path segment."""
    return quote(value, safe="")


def go_bool(value: bool) -> str:
    return "true" if value else "false"


def merge(q: QueryOptions | None, *, prefix: str = "", **params: str) -> QueryOptions:
    """`q` (or the defaults) with a prefix and extra query parameters added."""
    q = q or QueryOptions()
    if prefix:
        q = replace(q, prefix=prefix)
    if params:
        q = replace(q, params={**q.params, **params})
    return q
