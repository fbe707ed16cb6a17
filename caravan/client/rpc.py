"""The client's side of the client <-> server contract, over HTTP with httpx.

    PUT  /v1/node/register                 {"Node": {..., "SecretID"}} -> NodeRegisterResponse
    PUT  /v1/node/<id>/heartbeat           -> {"HeartbeatTTL"}; 404: register again
    GET  /v1/node/<id>/allocations?index=&wait=   blocking; header X-Nomad-Index
    POST /v1/node/<id>/allocations/update  {"Allocs": [AllocClientUpdate...]} -> {"Index"}
    POST /v1/node/<id>/exec-sessions       {"Sessions": [ExecSession...]} -> {"Index"}
    POST /v1/node/<id>/identity            {"AllocID", "Task"} -> {"Token"}: a task's JWT

Calls carry the node secret as `X-Nomad-Token`; register carries the client
introduction token there instead, when the agent has one. With `tls { http = true }`
calls go over HTTPS with the agent's own certificate (see config/tls.py). A server
that cannot be reached is left for the next one in the list; when none answers,
ServerUnavailable.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import TypeAdapter, ValidationError

from caravan.config.tls import TLSConfig, agent_client_context, agent_url, server_hostname
from caravan.errors import CaravanError, NotFound, PermissionDenied
from caravan.structs import AllocClientUpdate, Allocation, Node, NodeRegisterResponse
from caravan.structs.exec_audit import ExecSession

_ALLOCS = TypeAdapter(list[Allocation])
_TIMEOUT_S = 10.0


class ServerUnavailable(CaravanError):
    status = 503


class ServerRPC:
    def __init__(self, servers: list[str], secret: str, *, tls: TLSConfig | None = None,
                 region: str = "global", intro_token: str = "") -> None:
        if not servers:
            raise ValueError("the client needs at least one server address")
        tls = self._tls = tls or TLSConfig()
        self.servers = [agent_url(tls, s) for s in servers]
        self._current = 0
        self._headers = {"X-Nomad-Token": secret}
        self._intro_token = intro_token
        self._sni = server_hostname(tls, region)
        self._http = httpx.AsyncClient(timeout=_TIMEOUT_S,
                                       verify=agent_client_context(tls, to_server=True) or True)

    def set_servers(self, servers: list[str]) -> None:
        """Replace the servers this client talks to (`/v1/agent/servers` POST)."""
        if not servers:
            raise ValueError("the client needs at least one server address")
        self.servers = [agent_url(self._tls, s) for s in servers]
        self._current = 0

    def servers_in_turn(self) -> list[str]:
        """Every server, the one that answered last first (where to send a request now)."""
        return self.servers[self._current:] + self.servers[:self._current]

    async def aclose(self) -> None:
        await self._http.aclose()

    async def register(self, node: Node, secret: str) -> NodeRegisterResponse:
        # SecretID is never part of a Node's wire shape; only registration carries it.
        body = {"Node": {**node.to_wire(), "SecretID": secret}}
        headers = {"X-Nomad-Token": self._intro_token} if self._intro_token else None
        reply = await self._call("PUT", "/v1/node/register", json=body, headers=headers)
        return NodeRegisterResponse.model_validate(reply.json())

    async def heartbeat(self, node_id: str) -> int:
        """The TTL (ns) until the next heartbeat is due; NotFound when the server forgot us."""
        reply = await self._call("PUT", f"/v1/node/{node_id}/heartbeat")
        return NodeRegisterResponse.model_validate(reply.json()).heartbeat_ttl

    async def allocations(self, node_id: str, index: int,
                          wait_s: float) -> tuple[list[Allocation], int]:
        """The node's allocations once something changed past `index`, or after `wait_s`."""
        reply = await self._call(
            "GET", f"/v1/node/{node_id}/allocations",
            params={"index": str(index), "wait": f"{int(wait_s * 1000)}ms"},
            timeout=wait_s + wait_s / 16 + _TIMEOUT_S)
        try:
            allocs = _ALLOCS.validate_python(reply.json() or [])
            new_index = int(reply.headers.get("X-Nomad-Index", "0"))
        except (ValidationError, ValueError) as err:
            raise ServerUnavailable(f"malformed allocations reply: {err}") from err
        return allocs, new_index

    async def update_allocs(self, node_id: str, updates: list[AllocClientUpdate]) -> int:
        body = {"Allocs": [u.to_wire() for u in updates]}
        reply = await self._call("POST", f"/v1/node/{node_id}/allocations/update", json=body)
        return int(reply.json().get("Index", 0))

    async def push_exec_sessions(self, node_id: str, sessions: list[ExecSession]) -> int:
        """Audit records of exec sessions this node served (client/audit)."""
        body = {"Sessions": [s.to_wire() for s in sessions]}
        reply = await self._call("POST", f"/v1/node/{node_id}/exec-sessions", json=body)
        return int(reply.json().get("Index", 0))

    async def sign_identity(self, node_id: str, alloc_id: str, task: str) -> str:
        """A task's workload identity (JWT), signed by a server for this node's alloc."""
        reply = await self._call("POST", f"/v1/node/{node_id}/identity",
                                 json={"AllocID": alloc_id, "Task": task})
        return str(reply.json().get("Token", ""))

    async def _call(self, method: str, path: str, *, json: Any = None,
                    params: dict[str, str] | None = None, timeout: float | None = None,
                    headers: dict[str, str] | None = None) -> httpx.Response:
        errors = []
        for _ in self.servers:
            base = self.servers[self._current]
            try:
                reply = await self._http.request(
                    method, base + path, json=json, params=params,
                    headers=headers or self._headers, timeout=timeout or _TIMEOUT_S,
                    extensions={"sni_hostname": self._sni} if self._sni else None)
            except httpx.TransportError as err:
                errors.append(f"{base}: {err!r}")
                self._current = (self._current + 1) % len(self.servers)
                continue
            return _check(reply)
        raise ServerUnavailable("no server answered: " + "; ".join(errors))


def _check(reply: httpx.Response) -> httpx.Response:
    if reply.status_code < 300:
        return reply
    text = reply.text.strip() or reply.reason_phrase
    if reply.status_code == 404:
        raise NotFound(text)
    if reply.status_code == 403:
        raise PermissionDenied(text)
    raise ServerUnavailable(f"Unexpected response code: {reply.status_code} ({text})")


class ClusterReads:
    """Reads a task's templates make of the cluster (Nomad's `nomadService*` and
    `nomadVar*` functions), as blocking queries: see caravan/client/template/."""

    def __init__(self, rpc: ServerRPC) -> None:
        self.rpc = rpc

    async def get(self, path: str, params: dict[str, str], wait_s: float,
                  token: str | None = None) -> tuple[Any, int]:
        """The JSON answer and its X-Nomad-Index; `token` (a task's workload identity)
        instead of the node's secret."""
        reply = await self.rpc._call("GET", path, params=params,
                                     timeout=wait_s + wait_s / 16 + _TIMEOUT_S,
                                     headers={"X-Nomad-Token": token} if token else None)
        try:
            return reply.json(), int(reply.headers.get("X-Nomad-Index", "0"))
        except ValueError as err:
            raise ServerUnavailable(f"malformed reply from {path}: {err}") from err
