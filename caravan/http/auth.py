"""The one authorization step every route and the exec WebSocket call.

    await authorize(request, NamespaceCapability.READ_JOB, namespace)

Every check goes through `caravan.acl.authorize`: capabilities, and the checks on
ACL policies, tokens and namespaces themselves (`authorize_policy_read`, ...); the
server's endpoints only do what they are asked.

The token comes from `X-Nomad-Token`, else `Authorization: Bearer <t>`; none means
the anonymous token. It is resolved once per request (kept in the ASGI scope): on an
agent with a server, from the local state store; on a client-only agent, by asking a
server (`/v1/acl/token/self` and `/v1/acl/policy/<name>` with the caller's own
token, which may read the policies it holds), kept for 30 s as Nomad clients do.
Either way resolved callers are kept in the one `CallerCache`.
With ACLs disabled in the agent config every check passes.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
from starlette.requests import HTTPConnection

from caravan.acl import ACL, ACLCache, Caller, CallerCache, Capability, PolicySource
from caravan.acl import authorize as check
from caravan.acl.authorize import (
    authorize_namespace_use,
    authorize_policy_read,
    authorize_token_read,
)
from caravan.acl.capabilities import Coarse
from caravan.acl.identity import anonymous_token
from caravan.config.tls import agent_client_context, agent_url
from caravan.errors import CaravanError, InvalidInput, PermissionDenied, TokenNotFound
from caravan.http.context import AgentContext, agent_of
from caravan.http.peer import require_node_certificate
from caravan.structs.acl import ACLPolicy, ACLToken

_SCOPE_KEY = "caravan.caller"
_RESOLVER_ATTR = "acl_resolver"


def token_of(conn: HTTPConnection) -> str:
    """The secret the request presents ("" when none)."""
    token = conn.headers.get("X-Nomad-Token", "")
    if not token:
        auth = conn.headers.get("Authorization", "")
        if auth[:7].lower() == "bearer ":
            token = auth[7:].strip()
    return token


async def caller_for(conn: HTTPConnection, secret: str | None = None) -> Caller | None:
    """The resolved caller of this request; None when ACLs are disabled.

    `secret` overrides the headers (the exec WebSocket's handshake message carries it).
    Raises TokenNotFound for an unknown token, PermissionDenied when it expired.
    """
    if not agent_of(conn).config.acl.enabled:
        return None
    cached = conn.scope.get(_SCOPE_KEY)
    if isinstance(cached, Caller) and (secret is None or cached.secret == secret):
        return cached
    presented = token_of(conn) if secret is None else secret
    caller = await resolver_of(conn).resolve(presented)
    conn.scope[_SCOPE_KEY] = caller
    return caller


async def acl_for(conn: HTTPConnection, secret: str | None = None) -> ACL | None:
    caller = await caller_for(conn, secret)
    return caller.acl if caller is not None else None


async def authorize(conn: HTTPConnection, capability: Capability | tuple[Capability, ...],
                    namespace: str | None = None) -> None:
    """Raise PermissionDenied (403) unless the request's token grants `capability`.

    A tuple means any one of them (e.g. submit-job or register-job). `namespace`
    None means `default`; `*` means "in some namespace".
    """
    check(await acl_for(conn), capability, namespace)


async def authorize_lookup(conn: HTTPConnection,
                           capability: Capability | tuple[Capability, ...],
                           namespace: str | None) -> None:
    """For an object found by ID: `namespace` is its namespace, or None if not found.

    A missing object is reported as 403, not 404, unless the token holds
    `capability` in every namespace: then the 404 tells it nothing it could not read.
    """
    acl = await acl_for(conn)
    if namespace is not None:
        check(acl, capability, namespace)
        return
    wanted = capability if isinstance(capability, tuple) else (capability,)
    if acl is not None and not any(acl.allow_namespace_operation_everywhere(c)
                                   for c in wanted):
        raise PermissionDenied()


async def authorize_node(conn: HTTPConnection, node_id: str,
                         capability: Capability) -> ACL | None:
    """A node's own secret for its own routes; anyone else needs `capability`.

    Returns the caller's ACL, for filtering what it may see, or None when the node
    itself asks (or ACLs are disabled): a node secret is never resolved as a token.
    """
    ctx = agent_of(conn)
    if not ctx.config.acl.enabled:
        return None
    if ctx.server is not None and ctx.server.acl.node_secret_matches(node_id, token_of(conn)):
        require_node_certificate(conn)  # a node secret counts only from a node's certificate
        return None
    acl = await acl_for(conn)
    check(acl, capability)
    return acl


def namespace_filter(acl: ACL | None, capability: Capability) -> Callable[[str], bool]:
    """For `?namespace=*` lists: keep the objects of namespaces the token may see."""
    if acl is None:
        return lambda _ns: True
    return lambda ns: acl.allows(capability, ns)


async def caller_of(conn: HTTPConnection) -> Caller:
    """The resolved caller, for routes that exist only with ACLs enabled (`/v1/acl/*`);
    the server's ACL endpoint has refused the request already when they are disabled."""
    caller = await caller_for(conn)
    if caller is None:
        raise InvalidInput("ACL support disabled")
    return caller


async def authorize_management(conn: HTTPConnection) -> None:
    await authorize(conn, Coarse.MANAGEMENT)


async def authorize_policy(conn: HTTPConnection, name: str) -> None:
    authorize_policy_read(await caller_of(conn), name)


async def policy_filter(conn: HTTPConnection) -> Callable[[str], bool]:
    """For policy lists: keep the policies the caller holds (all, for management)."""
    return (await caller_of(conn)).holds_policy


async def authorize_token(conn: HTTPConnection, token: ACLToken | None) -> None:
    authorize_token_read(await caller_of(conn), token)


async def authorize_namespace(conn: HTTPConnection, name: str) -> None:
    authorize_namespace_use(await acl_for(conn), name)


async def namespace_use_filter(conn: HTTPConnection) -> Callable[[str], bool]:
    """For namespace lists: keep the namespaces the token may use at all."""
    acl = await acl_for(conn)
    return (lambda _ns: True) if acl is None else acl.allow_namespace


def resolver_of(conn: HTTPConnection) -> TokenResolver:
    """The app's resolver (`build_app` creates it; made here on first use if not)."""
    resolver = getattr(conn.app.state, _RESOLVER_ATTR, None)
    if not isinstance(resolver, TokenResolver):
        resolver = TokenResolver(agent_of(conn))
        setattr(conn.app.state, _RESOLVER_ATTR, resolver)
    return resolver


class TokenResolver:
    """Secret -> Caller, locally on a server agent, remotely (cached) on a client agent."""

    def __init__(self, ctx: AgentContext, *, ttl_s: float = 30.0, max_entries: int = 1024,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self._ctx = ctx
        self._ttl_ns = int(ttl_s * 1e9)
        self._now = monotonic
        self._remote = CallerCache(max_entries)
        self._cache = ACLCache()

    async def resolve(self, secret: str) -> Caller:
        if self._ctx.server is not None:
            return self._ctx.server.acl.resolve(secret)
        now = int(self._now() * 1e9)
        hit = self._remote.get(secret, 0, now)
        if hit is not None:
            return hit
        caller = await self._ask_server(secret)
        self._remote.put(secret, 0, now + self._ttl_ns, caller)
        return caller

    async def _ask_server(self, secret: str) -> Caller:
        client = self._ctx.client
        servers = client.servers() if client is not None else []
        if not servers:
            raise CaravanError("No known servers")
        tls = self._ctx.config.tls
        base = agent_url(tls, servers[0])
        headers = {"X-Nomad-Token": secret} if secret else {}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=10.0,
                                     verify=agent_client_context(tls) or True) as http:
            reply = await http.get("/v1/acl/token/self")
            token = anonymous_token() if not secret and reply.status_code == 404 \
                else ACLToken.model_validate(_checked(reply).json())
            if token.type == "management":
                return Caller(token, self._cache.management, secret)
            policies = [await http.get(f"/v1/acl/policy/{name}")
                        for name in token.policies or []]
        found = [ACLPolicy.model_validate(r.json()) for r in policies if r.status_code == 200]
        acl = self._cache.acl_for(PolicySource(p.name, p.hash, p.rules) for p in found)
        return Caller(token, acl, secret)


def _checked(reply: httpx.Response) -> httpx.Response:
    if reply.status_code == 403:
        text = reply.text.strip()
        raise TokenNotFound(text) if text == "ACL token not found" else PermissionDenied(text)
    if reply.status_code >= 300:
        raise CaravanError(f"resolving ACL token: {reply.status_code} {reply.text.strip()}")
    return reply
