"""Workload identities of this node's tasks: asked of a server, kept until near expiry.

    await identities.token(alloc_id, task)   the task's JWT (NOMAD_TOKEN, secrets/
                                             nomad_token, the Task API socket, and
                                             whatever else acts for the task, e.g.
                                             a template reading its Variables)

A token without `exp` (an identity without `ttl`) is valid while its allocation
runs and is kept until the allocation is forgotten; one with `exp` is asked for
again once two thirds of its life have passed.
"""

from __future__ import annotations

import asyncio
import json
from base64 import urlsafe_b64decode
from collections.abc import Awaitable, Callable

from caravan.clock import Clock

Signer = Callable[[str, str], Awaitable[str]]  # (alloc ID, task) -> JWT


def _times(token: str) -> tuple[int, int | None]:
    """(iat, exp or None) from a token this node was just given by its server."""
    payload = token.split(".")[1]
    claims = json.loads(urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    exp = claims.get("exp")
    return int(claims.get("iat", 0)), int(exp) if exp is not None else None


class TaskIdentities:
    """Safe to call concurrently: one request per (alloc, task) at a time."""

    def __init__(self, sign: Signer, clock: Clock) -> None:
        self._sign = sign
        self._clock = clock
        self._tokens: dict[tuple[str, str], tuple[str, int | None]] = {}
        self._locks: dict[tuple[str, str], asyncio.Lock] = {}

    async def token(self, alloc_id: str, task: str) -> str:
        key = (alloc_id, task)
        async with self._locks.setdefault(key, asyncio.Lock()):
            kept = self._tokens.get(key)
            if kept is not None and (kept[1] is None or self._now_s() < kept[1]):
                return kept[0]
            token = await self._sign(alloc_id, task)
            issued, expires = _times(token)
            renew_at = None if expires is None else issued + (expires - issued) * 2 // 3
            self._tokens[key] = (token, renew_at)
            return token

    def forget(self, alloc_id: str) -> None:
        for key in [k for k in self._tokens if k[0] == alloc_id]:
            self._tokens.pop(key, None)
            self._locks.pop(key, None)

    def _now_s(self) -> int:
        return self._clock.now_ns() // 1_000_000_000
