"""caravan.api: the typed Python client for a caravan (or Nomad) agent's HTTP API.

    from caravan.api import Client
    with Client() as client:                      # CARAVAN_ADDR / NOMAD_ADDR, tokens, ...
        jobs, meta = client.jobs.list(prefix="web")
        alloc, _ = client.allocations.info(jobs[0].id)

Reads return `(model, QueryMeta)`; writes return the response model; failures raise
`APIError` (non-2xx), `APIConnectionError` (no agent) or `APIDecodeError`. This
package never prints and imports nothing from the server, client or http packages.
"""

import importlib as _importlib
from typing import TYPE_CHECKING

# Names resolve on first use (PEP 562): a command that needs the Client should not pay for
# importing every sub-API and model at start-up, which was most of a CLI call's time.
_EXPORTS = {
    "ACLIdentity": "caravan.api.acl",
    "ACLPolicies": "caravan.api.acl",
    "ACLTokens": "caravan.api.acl",
    "APIConnectionError": "caravan.api.errors",
    "APIDecodeError": "caravan.api.errors",
    "APIError": "caravan.api.errors",
    "Agent": "caravan.api.agent",
    "AgentMember": "caravan.api.models",
    "AgentMembers": "caravan.api.models",
    "AgentSelf": "caravan.api.models",
    "AllocFS": "caravan.api.fs",
    "Allocations": "caravan.api.allocations",
    "Client": "caravan.api.client",
    "DEFAULT_ADDRESS": "caravan.api.client",
    "Deployments": "caravan.api.deployments",
    "Evaluations": "caravan.api.evaluations",
    "ExecError": "caravan.api.exec",
    "ExecOutput": "caravan.api.exec",
    "ExecSession": "caravan.api.exec",
    "FrameDecoder": "caravan.api.fs",
    "Jobs": "caravan.api.jobs",
    "LogFrame": "caravan.api.models",
    "Namespaces": "caravan.api.namespaces",
    "Nodes": "caravan.api.nodes",
    "QueryMeta": "caravan.api.query",
    "QueryOptions": "caravan.api.query",
    "Services": "caravan.api.services",
    "Status": "caravan.api.agent",
    "TLSConfig": "caravan.api.tls",
    "exec_session": "caravan.api.exec",
}

__all__ = [
    "ACLIdentity",
    "ACLPolicies",
    "ACLTokens",
    "APIConnectionError",
    "APIDecodeError",
    "APIError",
    "Agent",
    "AgentMember",
    "AgentMembers",
    "AgentSelf",
    "AllocFS",
    "Allocations",
    "Client",
    "DEFAULT_ADDRESS",
    "Deployments",
    "Evaluations",
    "ExecError",
    "ExecOutput",
    "ExecSession",
    "FrameDecoder",
    "Jobs",
    "LogFrame",
    "Namespaces",
    "Nodes",
    "QueryMeta",
    "QueryOptions",
    "Services",
    "Status",
    "TLSConfig",
    "exec_session",
]

if TYPE_CHECKING:
    from caravan.api.acl import ACLPolicies, ACLTokens
    from caravan.api.agent import Agent, Status
    from caravan.api.allocations import Allocations
    from caravan.api.client import DEFAULT_ADDRESS, Client
    from caravan.api.errors import APIConnectionError, APIDecodeError, APIError
    from caravan.api.evaluations import Evaluations
    from caravan.api.exec import ExecError, ExecOutput, ExecSession, exec_session
    from caravan.api.deployments import Deployments
    from caravan.api.fs import AllocFS, FrameDecoder
    from caravan.api.jobs import Jobs
    from caravan.api.models import (
        AgentMember,
        AgentMembers,
        AgentSelf,
        LogFrame,
    )
    from caravan.api.namespaces import Namespaces
    from caravan.api.nodes import Nodes
    from caravan.api.query import QueryMeta, QueryOptions
    from caravan.api.services import Services


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'caravan.api' has no attribute {name!r}")
    value = getattr(_importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return list(__all__)
