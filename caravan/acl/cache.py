"""Compiled ACLs by policy set (`ACLCache`) and resolved callers by secret (`CallerCache`),
so resolving a known token costs a dict lookup.

`ACLCache`'s key is the sorted (policy name, policy hash) pairs: a policy edit changes
its hash, so a stale ACL is never served, and two tokens with the same policies share
one compiled ACL. Least recently used entries go first once the cache is full.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass

from caravan.acl.acl import ACL, compile_acl
from caravan.acl.identity import Caller
from caravan.acl.parse import parse_policy

PolicyKey = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class PolicySource:
    """What the cache needs of a stored policy: its name, hash and rules text."""

    name: str
    hash: str
    rules: str


class ACLCache:
    """Not thread-safe: use it from one thread (the event loop), as the server does."""

    def __init__(self, max_entries: int = 512) -> None:
        self._max = max_entries
        self._entries: OrderedDict[PolicyKey, ACL] = OrderedDict()
        self.management = ACL.management()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def acl_for(self, policies: Iterable[PolicySource]) -> ACL:
        """The ACL that `policies` grant together (an empty set grants nothing).

        Stored policies are parsed leniently; one that no longer parses raises
        InvalidInput rather than being skipped, since skipping it could drop a deny.
        """
        sources = sorted(policies, key=lambda p: (p.name, p.hash))
        key = tuple((p.name, p.hash) for p in sources)
        cached = self._entries.get(key)
        if cached is not None:
            self.hits += 1
            self._entries.move_to_end(key)
            return cached
        self.misses += 1
        acl = compile_acl(parse_policy(p.rules, strict=False) for p in sources)
        self._entries[key] = acl
        if len(self._entries) > self._max:
            self._entries.popitem(last=False)
        return acl


class CallerCache:
    """Resolved callers by the secret they presented: the one token cache.

    An entry is good while the `version` it was resolved at is still the current one
    (a server passes the index of its token and policy tables, so any ACL write
    invalidates it) and until it expires (the token's own expiry, or the time a
    client agent may trust an answer from its server). Secrets are user input, so
    the cache is bounded: it is cleared when full. Not thread-safe (the event loop).
    """

    def __init__(self, max_entries: int = 4096) -> None:
        self._max = max_entries
        self._entries: dict[str, tuple[int, int | None, Caller]] = {}

    def get(self, secret: str, version: int, now_ns: int) -> Caller | None:
        hit = self._entries.get(secret)
        if hit is None or hit[0] != version or (hit[1] is not None and hit[1] < now_ns):
            return None
        return hit[2]

    def put(self, secret: str, version: int, expires_ns: int | None, caller: Caller) -> None:
        if len(self._entries) >= self._max:
            self._entries.clear()
        self._entries[secret] = (version, expires_ns, caller)
