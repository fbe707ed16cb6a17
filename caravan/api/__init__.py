"""caravan.api: the typed Python client for a caravan (or Nomad) agent's HTTP API.

    from caravan.api import Client
    with Client() as client:                      # CARAVAN_ADDR / NOMAD_ADDR, tokens, ...
        jobs, meta = client.jobs.list(prefix="web")
        alloc, _ = client.allocations.info(jobs[0].id)

Reads return `(model, QueryMeta)`; writes return the response model; failures raise
`APIError` (non-2xx), `APIConnectionError` (no agent) or `APIDecodeError`. This
package never prints and imports nothing from the server, client or http packages.
"""

from caravan.api.acl import ACLPolicies, ACLTokens
from caravan.api.agent import Agent, Status
from caravan.api.allocations import Allocations
from caravan.api.client import DEFAULT_ADDRESS, Client
from caravan.api.errors import APIConnectionError, APIDecodeError, APIError
from caravan.api.evaluations import Evaluations
from caravan.api.exec import ExecError, ExecOutput, ExecSession, exec_session
from caravan.api.fs import AllocFS, FrameDecoder
from caravan.api.jobs import Jobs
from caravan.api.models import (
    AgentMember,
    AgentMembers,
    AgentSelf,
    AllocResourceUsage,
    CpuStats,
    LogFrame,
    MemoryStats,
    ResourceUsage,
    TaskResourceUsage,
)
from caravan.api.namespaces import Namespaces
from caravan.api.nodes import Nodes
from caravan.api.query import QueryMeta, QueryOptions

__all__ = [
    "ACLPolicies",
    "ACLTokens",
    "DEFAULT_ADDRESS",
    "APIConnectionError",
    "APIDecodeError",
    "APIError",
    "Agent",
    "AgentMember",
    "AgentMembers",
    "AgentSelf",
    "AllocFS",
    "AllocResourceUsage",
    "Allocations",
    "Client",
    "CpuStats",
    "Evaluations",
    "ExecError",
    "ExecOutput",
    "ExecSession",
    "FrameDecoder",
    "Jobs",
    "LogFrame",
    "MemoryStats",
    "Namespaces",
    "Nodes",
    "QueryMeta",
    "QueryOptions",
    "ResourceUsage",
    "Status",
    "TaskResourceUsage",
    "exec_session",
]
