"""Root keys that servers on etcd share, so every server holds the same ones.

    <prefix>keyring/root/<key-id>     one Variables/workload-identity root key (the
                                      JSON of a `keyring/root/<id>.json` file)
    <prefix>keyring/created           set with the first root key(s), in one transaction
    <prefix>keyring/intro-ed25519     the client-introduction signing key (PEM)

Each key is created once by whichever server comes first: a transaction that only
writes when the key does not exist yet, after which every server reads back what
won. So two servers starting together agree on one key. A rotation is one
transaction (the new active key and the retired ones); the other servers learn it
from a watch on `keyring/root/`. The values are key material in the clear: etcd
must be protected with TLS and its own authentication (README, "Several servers").
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import aetcd
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caravan.errors import CaravanError
from caravan.server.keyring import RootKey, decode_key, encode_key
from caravan.server.state.etcd_conn import EtcdConnection

log = logging.getLogger(__name__)
T = TypeVar("T")


class EtcdKeyStore:
    """`seed`: the keys this server kept on disk before it joined etcd (when it was one
    server on SQLite, or when servers had their key files copied to each other). If this
    server creates the shared keyring, it starts from them, so the variables they
    encrypted still decrypt."""

    def __init__(self, conn: EtcdConnection, seed: list[RootKey] | None = None) -> None:
        self._conn = conn
        self._seed = seed or []
        self._root = conn.prefix + b"keyring/root/"
        self._created = conn.prefix + b"keyring/created"
        self._next_rev = 0  # the watch starts after the last read, so no rotation slips by
        self._watch: asyncio.Task[None] | None = None

    def load(self) -> list[RootKey]:
        got = _call(self._conn, self._conn.client.get_prefix(self._root), "read the keyring")
        self._next_rev = max(self._next_rev, got.header.revision + 1)
        return [decode_key(kv.value, kv.key.decode()) for kv in got]

    def save(self, keys: list[RootKey]) -> None:
        tx = self._conn.client.transactions
        puts = [tx.put(self._root + k.key_id.encode(), encode_key(k)) for k in keys]
        _call(self._conn, self._conn.client.transaction(compare=[], success=puts, failure=[]),
              "write the keyring")

    def create_first(self, key: RootKey) -> list[RootKey]:
        first = self._seed if any(k.active for k in self._seed) else [key]
        tx = self._conn.client.transactions
        _call(self._conn, self._conn.client.transaction(
            compare=[tx.create(self._created) == 0],
            success=[tx.put(self._created, b"1"),
                     *(tx.put(self._root + k.key_id.encode(), encode_key(k)) for k in first)],
            failure=[]), "create the keyring")
        return self.load()

    def follow(self, learn: Callable[[RootKey], None]) -> None:
        target = asyncio.get_running_loop()

        def on_key(key: RootKey) -> None:
            target.call_soon_threadsafe(learn, key)

        async def start() -> None:
            self._watch = asyncio.ensure_future(self._follow(on_key))

        self._conn.call(start())

    def close(self) -> None:
        """Before the connection closes: end the watch (else it retries a closed client)."""
        if self._watch is not None:
            self._conn.loop.call_soon_threadsafe(self._watch.cancel)

    async def _follow(self, on_key: Callable[[RootKey], None]) -> None:
        while True:  # until close()
            try:
                watch = await self._conn.client.watch_prefix(
                    self._root, start_revision=self._next_rev or None)
                try:
                    async for event in watch:
                        self._next_rev = int(event.kv.mod_revision) + 1
                        if event.kind == "PUT":
                            on_key(decode_key(event.kv.value, event.kv.key.decode()))
                finally:
                    await watch.cancel()
            except asyncio.CancelledError:
                raise
            except Exception as e:  # a broken stream: aetcd raises what gRPC gave it
                log.warning("etcd keyring watch broke (%r); watching again", e)
                await asyncio.sleep(0.5)


def shared_intro_key(conn: EtcdConnection, seed: Path | None = None) -> Ed25519PrivateKey:
    """The client-introduction signing key every server uses, made by the first (from
    the PEM file `seed` when it has one, so tokens it handed out stay good)."""
    name = conn.prefix + b"keyring/intro-ed25519"
    fresh = seed.read_bytes() if seed is not None and seed.is_file() else (
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
    tx = conn.client.transactions
    _call(conn, conn.client.transaction(compare=[tx.create(name) == 0],
                                        success=[tx.put(name, fresh)], failure=[]),
          "create the client introduction key")
    got = _call(conn, conn.client.get(name), "read the client introduction key")
    key = serialization.load_pem_private_key(got.value, password=None) if got else None
    if not isinstance(key, Ed25519PrivateKey):
        raise CaravanError(f"etcd key {name.decode()} does not hold an Ed25519 key",
                           hint="delete it; the next server to start makes a new one")
    return key


def _call(conn: EtcdConnection, coro: Coroutine[Any, Any, T], what: str) -> T:
    try:
        return conn.call(coro)
    except (aetcd.ClientError, TimeoutError) as e:
        raise CaravanError(f"etcd: could not {what}: {e or type(e).__name__}",
                           hint="check that etcd is up and reachable") from None
