"""Wire shapes only the client library needs (agent info, resource usage, log frames).

The stored objects (Job, Allocation, Evaluation, Node, ...) come from `caravan.structs`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from caravan.structs import Struct


class AgentMember(Struct):
    name: str = ""
    addr: str = ""
    port: int = 0
    tags: dict[str, str] | None = None
    status: str = ""


class AgentSelf(Struct):
    """`/v1/agent/self`: Nomad keeps these three top-level keys lower-case."""

    config: dict[str, Any] = Field(default_factory=dict, alias="config")
    member: AgentMember = Field(default_factory=AgentMember, alias="member")
    # Nomad sends strings only; values are left as sent so a richer agent still parses.
    stats: dict[str, dict[str, Any]] = Field(default_factory=dict, alias="stats")

    def node_id(self) -> str | None:
        """The local client's node ID, or None when the agent runs no client."""
        node_id = (self.stats.get("client") or {}).get("node_id")
        return str(node_id) if node_id else None


class AgentMembers(Struct):
    server_name: str = ""
    server_region: str = ""
    server_dc: str = Field("", alias="ServerDC")
    members: list[AgentMember] = Field(default_factory=list)


@dataclass(frozen=True)
class LogFrame:
    """One frame of a log stream. A heartbeat (`{}` on the wire) has no data and no file."""

    offset: int = 0
    data: bytes = b""
    file: str = ""
    file_event: str = ""

    @property
    def heartbeat(self) -> bool:
        return not (self.data or self.file or self.file_event)

    @classmethod
    def from_wire(cls, frame: dict[str, Any]) -> LogFrame:
        data = frame.get("Data") or ""
        return cls(
            offset=int(frame.get("Offset") or 0),
            data=base64.b64decode(data) if data else b"",
            file=str(frame.get("File") or ""),
            file_event=str(frame.get("FileEvent") or ""),
        )
