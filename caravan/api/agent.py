"""`client.agent` (the agent answering us) and `client.status` (the server cluster)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.errors import APIConnectionError, APIDecodeError
from caravan.api.fs import FrameDecoder
from caravan.api.models import AgentMembers, AgentSelf
from caravan.api.query import QueryMeta, QueryOptions, go_bool, merge

_SELF = TypeAdapter(AgentSelf)
_MEMBERS = TypeAdapter(AgentMembers)
_STR = TypeAdapter(str)
_STRS = TypeAdapter(list[str])


class Agent(SubAPI):
    def self(self, q: QueryOptions | None = None) -> tuple[AgentSelf, QueryMeta]:
        """The agent's config, membership and stats (`stats.client.node_id` on clients)."""
        return self._read("/v1/agent/self", _SELF, q)

    def members(self, q: QueryOptions | None = None) -> tuple[AgentMembers, QueryMeta]:
        return self._read("/v1/agent/members", _MEMBERS, q)

    def monitor(self, log_level: str = "info", *, log_json: bool = False, node_id: str = "",
                server_id: str = "", q: QueryOptions | None = None) -> Iterator[bytes]:
        """The agent's log lines as they are written (heartbeats skipped), until closed."""
        path = "/v1/agent/monitor"
        params = {"log_level": log_level, "log_json": go_bool(log_json)}
        params |= {k: v for k, v in (("node_id", node_id), ("server_id", server_id)) if v}
        decoder = FrameDecoder()
        with self._client.stream(path, merge(q, **params)) as response:
            try:
                for chunk in response.iter_bytes():
                    yield from (f.data for f in decoder.feed(chunk) if f.data)
            except ValueError as exc:
                raise APIDecodeError(path, str(exc)) from exc
            except httpx.TransportError as exc:
                raise APIConnectionError(self._client.address, str(exc) or "stream closed") \
                    from exc


class Status(SubAPI):
    def leader(self, q: QueryOptions | None = None) -> tuple[str, QueryMeta]:
        """The leader's RPC address, `"<ip>:<port>"`."""
        return self._read("/v1/status/leader", _STR, q)

    def peers(self, q: QueryOptions | None = None) -> tuple[list[str], QueryMeta]:
        return self._read("/v1/status/peers", _STRS, q)
