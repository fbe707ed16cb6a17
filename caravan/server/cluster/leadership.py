"""Leader election through an etcd lease (etcd's election recipe).

    session:  grant a lease (TTL) ─▶ put members/<name> on it ─▶ keep it alive
    campaign: put `leader` only if it does not exist (create revision 0), on the lease
              ─ won:  catch up with etcd, then `on_gain()`; lead until the session ends
              ─ lost: remember who leads; wait for the key to go; campaign again

A leader steps down (`on_lose()`) as soon as a keepalive has not been answered
for half the TTL: etcd drops its lease only after the whole TTL, so it stops
acting before anyone else can be elected. While it leads, its commits also check
that the `leader` key is still the one it created (`EtcdBackend.guard`), so a
deposed leader cannot commit even if it has not noticed yet.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aetcd

from caravan.errors import CaravanError
from caravan.server.cluster.errors import NoLeader
from caravan.server.cluster.members import Member
from caravan.server.state.etcd import EtcdBackend

log = logging.getLogger(__name__)


class LeaseLost(Exception):
    pass


class Leadership:
    def __init__(self, backend: EtcdBackend, me: Member, ttl_s: int, *,
                 store_index: Callable[[], int], on_gain: Callable[[], Awaitable[None]],
                 on_lose: Callable[[], Awaitable[None]]) -> None:
        self._backend = backend
        self._conn = backend.conn
        self.me = me
        self.ttl_s = ttl_s
        self._store_index = store_index
        self._on_gain = on_gain
        self._on_lose = on_lose
        self._leader_key = self._conn.prefix + b"leader"
        self._members_prefix = self._conn.prefix + b"members/"
        self.leader: Member | None = None
        self.is_leader = False  # may be cleared from the etcd thread (keepalive lost)
        self._leading = False  # on_gain ran and on_lose has not (the agent's loop only)
        self.last_contact = time.monotonic()  # the last answer from etcd
        backend.guard(self._leader_key, -1)  # no commit until this server leads

    # ---- reads for the HTTP side -------------------------------------------------------

    async def members(self) -> list[Member]:
        try:
            got = await self._conn.acall(self._conn.client.get_prefix(self._members_prefix))
        except (aetcd.ClientError, TimeoutError):
            raise NoLeader("No cluster leader (etcd unreachable)") from None
        return sorted((Member.decode(kv.value) for kv in got), key=lambda m: m.name)

    async def catch_up(self) -> None:
        """Wait until this server's memory holds every commit made before this call
        (a consistent read on a follower: one etcd read, then the watch's progress)."""
        try:
            got = await self._conn.acall(self._conn.client.get(self._backend.index_key))
            self.last_contact = time.monotonic()
            await self._wait_index(int(got.value) if got is not None else 0)
        except (aetcd.ClientError, TimeoutError):
            raise NoLeader("No cluster leader") from None

    async def _wait_index(self, target: int) -> None:
        async with asyncio.timeout(self.ttl_s * 4):
            while self._store_index() < target:
                await asyncio.sleep(0.005)

    def last_contact_ms(self) -> int:
        return 0 if self.is_leader else int((time.monotonic() - self.last_contact) * 1000)

    # ---- the loop ------------------------------------------------------------------------

    async def run(self) -> None:
        while True:
            try:
                await self._session()
            except (aetcd.ClientError, TimeoutError, LeaseLost, CaravanError) as e:
                # CaravanError: catching up or taking over failed (etcd went away meanwhile,
                # a write of the takeover was refused); campaign again from a new session.
                log.warning("etcd session ended (%s); starting a new one", e or type(e).__name__)
            finally:
                await self._step_down()
            await asyncio.sleep(0.5)

    async def _session(self) -> None:
        asked = time.monotonic()  # the lease runs from no earlier than this
        lease = await self._conn.acall(self._conn.client.lease(self.ttl_s))
        await self._conn.acall(self._conn.client.put(
            self._members_prefix + self.me.name.encode(), self.me.encode(), lease=lease.id))
        # The keepalive runs on the etcd thread's loop: a commit holding the agent's
        # loop must not delay the moment this server stops leading.
        keepalive = asyncio.ensure_future(self._conn.acall(self._keepalive(lease, asked)))
        campaign = asyncio.ensure_future(self._campaign(lease))
        try:
            done, _ = await asyncio.wait({keepalive, campaign},
                                         return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()
        finally:
            keepalive.cancel()
            campaign.cancel()
            await asyncio.gather(keepalive, campaign, return_exceptions=True)
            try:
                await asyncio.wait_for(self._conn.acall(lease.revoke()), 2)
            except Exception:  # unreachable etcd: the lease expires by itself
                pass

    async def _keepalive(self, lease: Any, last_ok: float) -> None:
        """Refresh the lease; raise `LeaseLost` once half its TTL passed without an
        answer. Runs on the etcd loop, so it also stops the leader's commits itself."""
        try:
            while True:
                await asyncio.sleep(self.ttl_s / 6)
                deadline = last_ok + self.ttl_s / 2
                sent = time.monotonic()
                try:
                    reply = await asyncio.wait_for(lease.refresh(), max(deadline - sent, 0.01))
                except (aetcd.ClientError, TimeoutError):
                    reply = None
                if reply is not None and reply.TTL > 0:
                    last_ok = self.last_contact = sent
                    continue
                if reply is not None:
                    raise LeaseLost("etcd says the lease expired")
                if time.monotonic() >= deadline:
                    raise LeaseLost(f"no keepalive answered for {self.ttl_s / 2:.1f}s")
        except LeaseLost:
            self._backend.guard(self._leader_key, -1)
            self.is_leader = False
            if self.leader == self.me:
                self.leader = None
            raise

    async def _campaign(self, lease: Any) -> None:
        client = self._conn.client
        tx = client.transactions
        while True:
            ok, responses = await self._conn.acall(client.transaction(
                compare=[tx.create(self._leader_key) == 0],
                success=[tx.put(self._leader_key, self.me.encode(), lease=lease.id),
                         tx.get(self._leader_key)],
                failure=[tx.get(self._leader_key)]))
            self.last_contact = time.monotonic()
            found = responses[-1]
            if found:
                value, kv = found[0]
                self.leader = Member.decode(value)
            if ok:
                (_, kv), = responses[-1]
                await self._gain(int(kv.create_revision))
                await asyncio.Event().wait()  # lead until the session ends
            try:
                await self._conn.acall(client.watch_once(self._leader_key,
                                                         timeout=self.ttl_s))
            except aetcd.WatchTimeoutError:
                pass

    async def _gain(self, create_revision: int) -> None:
        # Apply everything committed before this moment before acting on the state.
        await self.catch_up()
        self._backend.guard(self._leader_key, create_revision)
        self.is_leader = self._leading = True
        self.leader = self.me
        log.info("this server (%s) is now the leader", self.me.name)
        await self._on_gain()

    async def _step_down(self) -> None:
        self._backend.guard(self._leader_key, -1)  # no commit passes until elected again
        self.is_leader = False
        if self.leader == self.me:
            self.leader = None
        if not self._leading:
            return
        self._leading = False
        log.warning("this server (%s) is no longer the leader", self.me.name)
        await self._on_lose()
