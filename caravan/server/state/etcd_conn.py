"""A connection to etcd through aetcd, on an event loop of its own thread.

The state store's backend interface is synchronous (the store commits from the
event loop thread and touches memory only after the write is durable), while
aetcd is asyncio-only. So the etcd client lives on a private loop in a daemon
thread; `call()` runs one coroutine there and waits for it. A commit therefore
holds the agent's loop for one etcd round trip, as a SQLite commit holds it for
one fsync.

aetcd dials a single `host:port` without TLS; `_Client.connect` dials every
endpoint (gRPC's `ipv4:` list with `pick_first`, so a dead etcd member is passed
over) and with TLS when the config asks for it.
"""

from __future__ import annotations

import asyncio
import ipaddress
import threading
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import aetcd
import grpc
from aetcd import rpc, watcher

from caravan.config.etcd import EtcdConfig
from caravan.errors import InvalidInput

T = TypeVar("T")

# Large plans write hundreds of allocations in one transaction; gRPC's default
# 4 MiB message limit would refuse the watch events that carry them.
_CHANNEL_OPTIONS = {"grpc.max_receive_message_length": 256 * 1024 * 1024,
                    "grpc.max_send_message_length": 256 * 1024 * 1024,
                    "grpc.keepalive_time_ms": 5000, "grpc.keepalive_timeout_ms": 3000}


class _Client(aetcd.Client):  # type: ignore[misc]
    def __init__(self, target: str, credentials: grpc.ChannelCredentials | None,
                 timeout_s: float) -> None:
        super().__init__(timeout=timeout_s, options=_CHANNEL_OPTIONS)
        self._target = target
        self._credentials = credentials

    async def connect(self) -> None:
        if self._connected.is_set():
            return
        options = list(self._options.items())
        if self._credentials is None:
            self.channel = rpc.insecure_channel(self._target, options=options)
        else:
            self.channel = rpc.secure_channel(self._target, self._credentials, options=options)
        self.kvstub = rpc.KVStub(self.channel)
        self.clusterstub = rpc.ClusterStub(self.channel)
        self.leasestub = rpc.LeaseStub(self.channel)
        self.maintenancestub = rpc.MaintenanceStub(self.channel)
        self._watcher = watcher.Watcher(rpc.WatchStub(self.channel), timeout=self._timeout,
                                        metadata=self.metadata)
        self._connected.set()


def _target(config: EtcdConfig) -> str:
    hosts = config.host_ports()
    try:
        for host, _ in hosts:
            ipaddress.IPv4Address(host)
    except ValueError:
        host, port = hosts[0]  # names: gRPC resolves one at a time; the first is dialled
        return f"dns:///{host}:{port}"
    return "ipv4:" + ",".join(f"{h}:{p}" for h, p in hosts)


def _credentials(config: EtcdConfig) -> grpc.ChannelCredentials | None:
    if not config.tls():
        return None

    def read(what: str, path: str) -> bytes | None:
        if not path:
            return None
        try:
            return Path(path).read_bytes()
        except OSError as e:
            raise InvalidInput(f"server.etcd.{what}: cannot read {path}: {e.strerror}") from None

    if bool(config.cert_file) != bool(config.key_file):
        raise InvalidInput("server.etcd: cert_file and key_file go together; set both or none")
    return grpc.ssl_channel_credentials(root_certificates=read("ca_file", config.ca_file),
                                        private_key=read("key_file", config.key_file),
                                        certificate_chain=read("cert_file", config.cert_file))


class EtcdConnection:
    """One aetcd client on a private loop; `call()` from any other thread."""

    def __init__(self, config: EtcdConfig, *, timeout_s: float = 10.0) -> None:
        self.config = config
        self.timeout_s = timeout_s
        self.prefix = config.key_prefix.encode()
        target, creds = _target(config), _credentials(config)  # bad files: before any thread
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="etcd",
                                        daemon=True)
        self._thread.start()
        self.client: Any = self.call(self._make(target, creds))

    async def _make(self, target: str, creds: grpc.ChannelCredentials | None) -> _Client:
        client = _Client(target, creds, self.timeout_s)
        await client.connect()
        return client

    def call(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout_s if timeout_s is not None else self.timeout_s + 1)

    async def acall(self, coro: Coroutine[Any, Any, T]) -> T:
        """`call()` for code on another event loop: awaits without blocking that loop."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def close(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self.call(self.client.close(), timeout_s=5)
        except Exception:  # closing a broken channel: nothing left to save
            pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()
