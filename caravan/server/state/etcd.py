"""The backend of several servers: every row and the index in etcd under one prefix.

    <prefix>t/<table>/<key>   one row (JSON), as the SQLite backend's `rows` table
    <prefix>index             Nomad's global index of the last commit

A commit is one etcd transaction: its rows, then the index key, guarded by "the
index key's mod revision is still the one this server last saw". So the index
only rises, each commit lands on top of the state its writer read, and a server
that missed another's write (an old leader after a partition) cannot commit at
all: the revision check fails and nothing is written.

`follow()` keeps a server's in-memory tables current with an etcd watch on the
prefix: the events of one transaction arrive in order and end with the index
key, which closes one `Change`; it is handed to the store on the agent's loop.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import aetcd

from caravan.config.etcd import EtcdConfig
from caravan.errors import WriteFailed
from caravan.server.state.backend import Change, Loaded
from caravan.server.state.etcd_conn import EtcdConnection

log = logging.getLogger(__name__)

Apply = Callable[[Change], bool]


class EtcdBackend:
    def __init__(self, config: EtcdConfig, *, timeout_s: float = 10.0) -> None:
        self.conn = EtcdConnection(config, timeout_s=timeout_s)
        self._rows = self.conn.prefix + b"t/"
        self.index_key = self._index_key = self.conn.prefix + b"index"
        self._guard: tuple[bytes, int] | None = None  # (leader key, its create revision)
        self._index_rev = 0  # mod revision of the index key the store's memory reflects
        self._watch_from = 0
        self._watch: asyncio.Task[None] | None = None

    # ---- Backend ---------------------------------------------------------------------

    def load(self) -> Loaded:
        loaded: Loaded = self._call(self._load(), "read the state")
        return loaded

    async def _load(self) -> Loaded:
        got = await self.conn.client.get_prefix(self.conn.prefix)
        rows: dict[str, dict[str, str]] = {}
        index = 0
        for kv in got:
            if kv.key == self._index_key:
                index, self._index_rev = int(kv.value), kv.mod_revision
            elif kv.key.startswith(self._rows):
                table, key = self._split(kv.key)
                rows.setdefault(table, {})[key] = kv.value.decode()
        self._watch_from = got.header.revision + 1
        return Loaded(index=index, rows=rows)

    def guard(self, key: bytes, create_revision: int) -> None:
        """From now on a commit also requires `key` to have been created at
        `create_revision` (the leader key this server holds; -1 fails every commit)."""
        self._guard = (key, create_revision)

    def commit(self, change: Change) -> None:
        """One guarded transaction; `WriteFailed` with nothing written if the state moved."""
        ok, revision = self._call(self._commit(change, self._index_rev, self._guard), "write")
        if not ok:
            raise WriteFailed(
                "the state in etcd changed under this server (another server wrote since "
                "this one last read it, or it is not the leader)",
                hint="only the leader writes; retry the request")
        self._index_rev = revision

    async def _commit(self, change: Change, expect_rev: int,
                      guard: tuple[bytes, int] | None) -> tuple[bool, int]:
        tx = self.conn.client.transactions
        ops: list[Any] = []
        for (table, key), value in change.rows.items():
            row = self._key(table, key)
            ops.append(tx.delete(row) if value is None else tx.put(row, value.encode()))
        ops.append(tx.put(self._index_key, str(change.index).encode()))
        ops.append(tx.get(self._index_key))  # its mod revision is this commit's revision
        compare = [tx.mod(self._index_key) == expect_rev]
        if guard is not None:
            compare.append(tx.create(guard[0]) == guard[1])
        ok, responses = await self.conn.client.transaction(
            compare=compare, success=ops, failure=[])
        if not ok:
            return False, 0
        (_, got), = responses[-1]
        return True, int(got.mod_revision)

    def close(self) -> None:
        if self._watch is not None:
            task = self._watch
            self.conn.loop.call_soon_threadsafe(task.cancel)
        self.conn.close()

    # ---- following other servers' writes ---------------------------------------------

    def follow(self, apply: Apply) -> None:
        """Feed every commit made after `load()` to `apply` on the calling loop.

        `apply` returns False for a change the store already has (its own commits);
        only applied ones move the revision later commits are checked against.
        """
        target = asyncio.get_running_loop()

        def deliver(change: Change, revision: int) -> None:
            if apply(change):
                self._index_rev = revision

        def on_change(change: Change, revision: int) -> None:
            target.call_soon_threadsafe(deliver, change, revision)

        async def start() -> None:
            self._watch = asyncio.ensure_future(self._follow(on_change))

        self.conn.call(start())

    async def _follow(self, on_change: Callable[[Change, int], None]) -> None:
        start = self._watch_from
        while True:
            try:
                start = await self._watch_once(start, on_change)
            except aetcd.RevisionCompactedError:
                log.error("etcd compacted revisions this server had not seen yet; "
                          "restart the agent to reload its state")
                return
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a broken stream: aetcd raises what gRPC gave it
                log.warning("etcd watch broke (%r); watching again from revision %d", e, start)
                await asyncio.sleep(0.5)

    async def _watch_once(self, start: int, on_change: Callable[[Change, int], None]) -> int:
        watch = await self.conn.client.watch_prefix(self.conn.prefix, start_revision=start)
        pending = Change(index=0)
        try:
            async for event in watch:
                kv = event.kv
                if kv.key == self._index_key:
                    pending.index = int(kv.value)
                    on_change(pending, int(kv.mod_revision))
                    pending = Change(index=0)
                    start = int(kv.mod_revision) + 1
                elif kv.key.startswith(self._rows):
                    table, key = self._split(kv.key)
                    if event.kind == "DELETE":
                        pending.delete(table, key)
                    else:
                        pending.put(table, key, kv.value.decode())
        finally:
            await watch.cancel()
        return start

    # ---- helpers ---------------------------------------------------------------------

    def _key(self, table: str, key: str) -> bytes:
        return self._rows + table.encode() + b"/" + key.encode()

    def _split(self, raw: bytes) -> tuple[str, str]:
        table, _, key = raw[len(self._rows):].partition(b"/")
        return table.decode(), key.decode()

    def _call(self, coro: Any, what: str) -> Any:
        try:
            return self.conn.call(coro)
        except aetcd.InvalidArgumentError as e:
            # etcd refuses a transaction over --max-txn-ops or --max-request-bytes.
            raise WriteFailed(f"etcd: could not {what}: {e}",
                              hint="raise etcd's --max-txn-ops and --max-request-bytes "
                                   "above the largest plan (see README)") from None
        except aetcd.ClientError as e:
            raise WriteFailed(f"etcd: could not {what}: {e or type(e).__name__}",
                              hint="check that etcd is up and reachable") from None
        except TimeoutError:
            raise WriteFailed(f"etcd: could not {what}: no answer within "
                              f"{self.conn.timeout_s:.0f}s",
                              hint="check that etcd is up and reachable") from None
