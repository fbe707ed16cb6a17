"""The HTTP client every sub-API shares: address/token/namespace resolution, the
three request shapes (read, write, stream) and the mapping of failures to errors.

A `Client` is cheap to build and may be used from several threads at once (httpx
pools connections); close it (or use it as a context manager) when done. Reads
return `(model, QueryMeta)`; writes return the response model. Nothing here prints.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

import httpx
from pydantic import TypeAdapter

from caravan.api._base import decode
from caravan.api.errors import APIConnectionError, APIDecodeError, APIError
from caravan.api.query import QueryMeta, QueryOptions
from caravan.api.tls import TLSConfig

if TYPE_CHECKING:
    from caravan.api.acl import ACLIdentity, ACLPolicies, ACLTokens
    from caravan.api.agent import Agent, Status
    from caravan.api.allocations import Allocations
    from caravan.api.deployments import Deployments
    from caravan.api.evaluations import Evaluations
    from caravan.api.exec_audit import ExecAudit
    from caravan.api.fs import AllocFS
    from caravan.api.jobs import Jobs
    from caravan.api.namespaces import Namespaces
    from caravan.api.services import Services
    from caravan.api.nodes import Nodes
    from caravan.api.operator import Operator
    from caravan.api.variables import Variables
    from caravan.api.system import System
    from caravan.api.variables import Variables

DEFAULT_ADDRESS = "http://127.0.0.1:4646"
DEFAULT_TIMEOUT = 60.0
# Nomad adds up to wait/16 of jitter to a blocking query; allow for it and some slack.
_BLOCKING_SLACK = 10.0
_STRS = TypeAdapter(list[str])


def _first_env(env: Mapping[str, str], *names: str) -> str | None:
    return next((env[n] for n in names if env.get(n)), None)


def _unix_socket(given: str | None, env: Mapping[str, str]) -> str | None:
    """`unix:///path` as the address, or, with no address at all, the Task API socket
    of the task this runs in (`$NOMAD_SECRETS_DIR/api.sock`): inside a task the CLI
    then needs neither an address nor a token."""
    if given:
        return given[len("unix://"):] if given.startswith("unix://") else None
    secrets = env.get("NOMAD_SECRETS_DIR")
    candidate = os.path.join(secrets, "api.sock") if secrets else None
    if candidate and os.path.exists(candidate) and not os.path.isdir(candidate):
        return candidate
    return None


def _normalize_address(address: str) -> str:
    address = address.strip().rstrip("/")
    return address if "://" in address else f"http://{address}"


def _connection_reason(exc: httpx.TransportError) -> str:
    text = str(exc)
    if "refused" in text.lower():
        return "connection refused"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return text or type(exc).__name__


class Client:
    """Talks to one agent. Sub-APIs: jobs, allocations, evaluations, nodes, agent,
    status, alloc_fs; `regions()` lists the known regions.

    address: argument, else CARAVAN_ADDR, else NOMAD_ADDR, else the Task API socket
    inside a task, else 127.0.0.1:4646; `unix:///path` talks over a unix socket.
    token: argument, else CARAVAN_TOKEN, else NOMAD_TOKEN (sent as X-Nomad-Token).
    namespace / region: argument, else CARAVAN_* then NOMAD_* variables.
    tls: argument, else `TLSConfig.from_env` (CARAVAN_CACERT, NOMAD_CLIENT_CERT, ...);
    used for https:// addresses only.
    """

    def __init__(
        self,
        address: str | None = None,
        token: str | None = None,
        namespace: str | None = None,
        region: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        *,
        env: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        tls: TLSConfig | None = None,
    ) -> None:
        env = os.environ if env is None else env
        given = address or _first_env(env, "CARAVAN_ADDR", "NOMAD_ADDR")
        socket_path = _unix_socket(given, env) if transport is None else None
        if socket_path is not None:  # the Task API inside a task, or unix:///path
            transport = httpx.HTTPTransport(uds=socket_path)
            given = "http://localhost"
        self.address = _normalize_address(given or DEFAULT_ADDRESS)
        self.token = token or _first_env(env, "CARAVAN_TOKEN", "NOMAD_TOKEN")
        self.namespace = namespace or _first_env(env, "CARAVAN_NAMESPACE", "NOMAD_NAMESPACE")
        self.region = region or _first_env(env, "CARAVAN_REGION", "NOMAD_REGION")
        self.tls = tls if tls is not None else TLSConfig.from_env(env)
        self.ssl_context = self.tls.ssl_context() if self.address.startswith("https") else None
        headers = {"X-Nomad-Token": self.token} if self.token else {}
        self._http = httpx.Client(
            base_url=self.address, headers=headers, timeout=timeout, transport=transport,
            verify=self.ssl_context or True)

    # Sub-APIs are built on first use, so a command imports only the ones it calls.
    @cached_property
    def jobs(self) -> Jobs:
        from caravan.api.jobs import Jobs

        return Jobs(self)

    @cached_property
    def allocations(self) -> Allocations:
        from caravan.api.allocations import Allocations

        return Allocations(self)

    @cached_property
    def evaluations(self) -> Evaluations:
        from caravan.api.evaluations import Evaluations

        return Evaluations(self)

    @cached_property
    def deployments(self) -> Deployments:
        from caravan.api.deployments import Deployments

        return Deployments(self)

    @cached_property
    def nodes(self) -> Nodes:
        from caravan.api.nodes import Nodes

        return Nodes(self)

    @cached_property
    def operator(self) -> Operator:
        from caravan.api.operator import Operator

        return Operator(self)

    @cached_property
    def agent(self) -> Agent:
        from caravan.api.agent import Agent

        return Agent(self)

    @cached_property
    def status(self) -> Status:
        from caravan.api.agent import Status

        return Status(self)

    @cached_property
    def alloc_fs(self) -> AllocFS:
        from caravan.api.fs import AllocFS

        return AllocFS(self)

    @cached_property
    def exec_audit(self) -> ExecAudit:
        from caravan.api.exec_audit import ExecAudit

        return ExecAudit(self)

    @cached_property
    def acl_policies(self) -> ACLPolicies:
        from caravan.api.acl import ACLPolicies

        return ACLPolicies(self)

    @cached_property
    def acl_tokens(self) -> ACLTokens:
        from caravan.api.acl import ACLTokens

        return ACLTokens(self)

    @cached_property
    def acl_identity(self) -> ACLIdentity:
        from caravan.api.acl import ACLIdentity

        return ACLIdentity(self)

    @cached_property
    def namespaces(self) -> Namespaces:
        from caravan.api.namespaces import Namespaces

        return Namespaces(self)

    @cached_property
    def services(self) -> Services:
        from caravan.api.services import Services
        return Services(self)

    @cached_property
    def variables(self) -> Variables:
        from caravan.api.variables import Variables
        return Variables(self)

    @cached_property
    def system(self) -> System:
        from caravan.api.system import System
        return System(self)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def set_namespace(self, namespace: str | None) -> None:
        self.namespace = namespace

    def set_region(self, region: str | None) -> None:
        self.region = region

    def regions(self, q: QueryOptions | None = None) -> tuple[list[str], QueryMeta]:
        data, meta = self.query("/v1/regions", q)
        return decode(_STRS, data or [], "/v1/regions"), meta

    # -- the three request shapes the sub-APIs use ------------------------------------

    def query(self, path: str, q: QueryOptions | None = None) -> tuple[Any, QueryMeta]:
        """GET `path`; returns the decoded JSON body and the blocking-query metadata."""
        q = q or QueryOptions()
        timeout = None
        if q.wait_index and q.wait_time:
            timeout = q.wait_time * 17 / 16 + _BLOCKING_SLACK
        response = self._send("GET", path, self._params(q), None, timeout)
        return _json(response, path), _query_meta(response.headers)

    def write(
        self, method: str, path: str, body: Any = None, q: QueryOptions | None = None
    ) -> Any:
        """PUT/POST/DELETE `path` with an optional JSON body; returns the decoded body."""
        response = self._send(method, path, self._params(q or QueryOptions()), body)
        return _json(response, path) if response.content.strip() else None

    @contextmanager
    def stream(self, path: str, q: QueryOptions | None = None) -> Iterator[httpx.Response]:
        """GET `path` as a stream with no read timeout (a followed log can idle)."""
        request = self._http.build_request(
            "GET", path, params=self._params(q or QueryOptions()),
            timeout=httpx.Timeout(DEFAULT_TIMEOUT, read=None), extensions=self.tls.sni())
        try:
            response = self._http.send(request, stream=True)
        except httpx.TransportError as exc:
            raise APIConnectionError(self.address, _connection_reason(exc)) from exc
        try:
            if response.status_code >= 300:
                response.read()
                raise APIError(response.status_code, response.text)
            yield response
        finally:
            response.close()

    # -- internals --------------------------------------------------------------------

    def _params(self, q: QueryOptions) -> dict[str, str]:
        params: dict[str, str] = {}
        namespace = q.namespace or self.namespace
        region = q.region or self.region
        if namespace:
            params["namespace"] = namespace
        if region:
            params["region"] = region
        if q.prefix:
            params["prefix"] = q.prefix
        if q.wait_index:
            params["index"] = str(q.wait_index)
            if q.wait_time:
                params["wait"] = f"{int(q.wait_time * 1000)}ms"
        params.update(q.params)
        return params

    def _send(
        self, method: str, path: str, params: dict[str, str], body: Any,
        timeout: float | None = None,
    ) -> httpx.Response:
        extra: dict[str, Any] = {} if timeout is None else {"timeout": timeout}
        if self.tls.tls_server_name:
            extra["extensions"] = self.tls.sni()
        try:
            response = self._http.request(method, path, params=params, json=body, **extra)
        except httpx.TransportError as exc:
            raise APIConnectionError(self.address, _connection_reason(exc)) from exc
        if response.status_code >= 300:
            raise APIError(response.status_code, response.text)
        return response


def _json(response: httpx.Response, path: str) -> Any:
    try:
        return response.json()
    except ValueError as exc:
        raise APIDecodeError(path, f"not JSON: {response.text[:80]!r}") from exc


def _query_meta(headers: httpx.Headers) -> QueryMeta:
    def _int(name: str) -> int:
        try:
            return int(headers.get(name, "0"))
        except ValueError:
            return 0

    return QueryMeta(
        last_index=_int("X-Nomad-Index"),
        known_leader=headers.get("X-Nomad-KnownLeader", "").lower() == "true",
        last_contact=_int("X-Nomad-LastContact"),
        next_token=headers.get("X-Nomad-NextToken", ""),
    )
