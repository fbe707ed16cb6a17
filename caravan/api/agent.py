"""`client.agent` (the agent answering us) and `client.status` (the server cluster)."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.models import AgentMembers, AgentSelf
from caravan.api.query import QueryMeta, QueryOptions

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


class Status(SubAPI):
    def leader(self, q: QueryOptions | None = None) -> tuple[str, QueryMeta]:
        """The leader's RPC address, `"<ip>:<port>"`."""
        return self._read("/v1/status/leader", _STR, q)

    def peers(self, q: QueryOptions | None = None) -> tuple[list[str], QueryMeta]:
        return self._read("/v1/status/peers", _STRS, q)
