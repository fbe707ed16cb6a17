"""The agent process: builds server, client and HTTP from one config, runs them, stops them.

    start:  data dir ─▶ server (state, workers) ─▶ HTTP listening ─▶ client (registers
            with a server over HTTP, so HTTP must be up first in -dev)
    run:    until SIGINT/SIGTERM, or until a loop of the server, the client or HTTP dies
            (each part's `Supervisor` logs it and reports it here)
    stop:   client (tasks keep running, unless -dev) ─▶ HTTP ─▶ server, each one even
            if an earlier one failed to stop; a dead loop makes the exit status 1
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from caravan.agent.tls_protocols import TLSH11Protocol, TLSWebSocketProtocol
from caravan.client.drivers.mounts import unmount_all_under
from caravan.clock import Clock, SystemClock
from caravan.config.agent import AgentConfig
from caravan.http.app import build_app
from caravan.http.context import AgentContext
from caravan.http.protocol import with_deadlines
from caravan.ids import IdGenerator, random_id
from caravan.supervisor import Supervisor, TaskFailure
from caravan.tls.context import server_context

if TYPE_CHECKING:  # imported when an agent runs a server: a client agent never loads it
    from caravan.server.server import Server

log = logging.getLogger(__name__)


class _HttpServer(uvicorn.Server):
    """uvicorn without its own signal handling: the agent decides when HTTP stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _Supervised(Protocol):
    async def wait_failed(self) -> TaskFailure: ...


class Agent:
    def __init__(self, config: AgentConfig, *, clock: Clock | None = None,
                 new_id: IdGenerator | None = None) -> None:
        self.config = config
        self._clock = clock or SystemClock()
        self._new_id = new_id or random_id
        self._temp_dir: Path | None = None
        self._loops = Supervisor("agent")

    def _data_dir(self) -> Path:
        if self.config.data_dir:
            path = Path(self.config.data_dir)
        else:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="caravan-dev-"))
            path = self._temp_dir
        path.mkdir(parents=True, exist_ok=True)
        return path.resolve()

    async def run(self, stop: asyncio.Event) -> TaskFailure | None:
        """Run until `stop` is set (returns None) or a loop dies (returns what died).

        Always stops what it started, in reverse order, each part even if another
        failed to stop (their errors are raised afterwards).
        """
        cfg = self.config
        async with contextlib.AsyncExitStack() as stack:
            stack.callback(self._remove_temp_dir)
            data_dir = self._data_dir()
            ctx = AgentContext(config=cfg, http_addr=_http_addr(cfg))
            parts: list[_Supervised] = [self._loops]
            if cfg.server.enabled:
                ctx.server = self._build_server(data_dir)
                await ctx.server.start()
                stack.push_async_callback(ctx.server.stop)
                parts.append(ctx.server)
            http = self._http_server(ctx)
            serving = self._loops.spawn(http.serve(), "http")
            stack.push_async_callback(self._stop_http, ctx, http, serving)
            await _wait_started(http, serving)
            log.info("caravan agent listening on %s", cfg.http_url())
            if cfg.client.enabled:
                from caravan.client.client import Client

                servers = list(cfg.client.servers) or [ctx.http_addr]
                ctx.client = Client(cfg, data_dir=data_dir, http_addr=ctx.http_addr,
                                    servers=servers, clock=self._clock, new_id=self._new_id)
                await ctx.client.start()  # returns once its saved allocations are back
                # A -dev agent's data dir is temporary, so its tasks go with it.
                stack.push_async_callback(ctx.client.stop, cfg.dev_mode)
                parts.append(ctx.client)
            ctx.client_restored.set()  # also on an agent without a client: nothing to wait for
            print(f"==> caravan agent started! HTTP API at {cfg.http_url()}", flush=True)
            failure = await _wait_stop(stop, parts)
            if failure is not None:
                log.error("stopping the agent: %s", failure)
        return failure

    def _build_server(self, data_dir: Path) -> Server:
        from caravan.server.gc.collector import GCSettings
        from caravan.server.server import Server

        cfg = self.config
        options: dict[str, object] = dict(
            clock=self._clock, new_id=self._new_id, region=cfg.region,
            heartbeat_ttl_s=cfg.server.min_heartbeat_ttl,
            heartbeat_grace_s=cfg.server.heartbeat_grace, acl_enabled=cfg.acl.enabled,
            token_min_ttl_s=cfg.acl.token_min_expiration_ttl,
            token_max_ttl_s=cfg.acl.token_max_expiration_ttl,
            job_max_count=cfg.server.job_max_count,
            client_introduction=cfg.server.client_introduction,
            gc=GCSettings.of(cfg.server))
        if cfg.server.etcd is not None:
            from caravan.server.cluster.setup import cluster_server
            return cluster_server(cfg, data_dir, options)
        return Server.from_data_dir(data_dir, **options)

    def _http_server(self, ctx: AgentContext) -> _HttpServer:
        cfg = self.config
        options = _tls_options(cfg)
        # Read deadlines and the per-client connection limit hold over HTTPS too.
        options["http"] = with_deadlines(
            cfg.limits.http_read_header_timeout, cfg.limits.http_read_timeout,
            cfg.limits.http_max_conns_per_client, options.get("http", H11Protocol))
        return _HttpServer(uvicorn.Config(
            build_app(ctx), host=cfg.bind_addr, port=cfg.ports.http, log_level="warning",
            lifespan="off", ws_ping_interval=None, timeout_keep_alive=65,
            # Blocking queries may be held open for minutes; do not let them hold up a stop.
            timeout_graceful_shutdown=2, **options))

    async def _stop_http(self, ctx: AgentContext, http: _HttpServer,
                         serving: asyncio.Task[None]) -> None:
        if ctx.server is not None:
            ctx.server.store.release_waiters()
            ctx.server.events.close()  # event streams end now, not at the next heartbeat
        self._loops.expect_end()
        http.should_exit = True
        await asyncio.wait({serving})  # its own failure, if any, was logged and reported
        await self._loops.aclose()

    def _remove_temp_dir(self) -> None:
        if self._temp_dir is not None:
            # The client's alloc root is a mount (nosuid,nodev): detach it before deleting.
            unmount_all_under(Path(self._temp_dir))
            shutil.rmtree(self._temp_dir, ignore_errors=True)


def _http_addr(cfg: AgentConfig) -> str:
    return cfg.http_url().split("://", 1)[1]


def _tls_options(cfg: AgentConfig) -> dict[str, Any]:
    """uvicorn options: HTTPS with the agent's certificate, and protocols that tell
    routes which certificate the caller presented (see tls_protocols.py)."""
    if not cfg.tls.http:
        return {"ws": "websockets-sansio"}
    tls = cfg.tls
    context = server_context(tls.cert_file, tls.key_file, tls.ca_file,
                             tls.verify_https_client, tls.tls_min_version)
    return {"http": TLSH11Protocol, "ws": TLSWebSocketProtocol,
            "ssl_certfile": tls.cert_file, "ssl_context_factory": lambda _c, _d: context}


async def _wait_started(http: _HttpServer, serving: asyncio.Task[None]) -> None:
    while not http.started:
        if serving.done():
            serving.result()  # re-raises the bind error
            raise RuntimeError("HTTP server exited before it started")
        await asyncio.sleep(0.02)


async def _wait_stop(stop: asyncio.Event, parts: list[_Supervised]) -> TaskFailure | None:
    """Until `stop` is set (None) or a part reports a dead loop (its failure)."""
    stopping = asyncio.ensure_future(stop.wait())
    failures = [asyncio.ensure_future(p.wait_failed()) for p in parts]
    try:
        await asyncio.wait({stopping, *failures}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in (stopping, *failures):
            waiter.cancel()
        await asyncio.gather(stopping, *failures, return_exceptions=True)
    return next((f.result() for f in failures if f.done() and not f.cancelled()), None)


def run_agent(config: AgentConfig) -> int:
    """Blocking entry point for `caravan agent`: runs until SIGINT/SIGTERM or a failure."""

    async def main() -> TaskFailure | None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        return await Agent(config).run(stop)

    try:
        failure = asyncio.run(main())
    except OSError as e:
        log.error("agent failed: %s", e)
        print(f"==> Error starting agent: {e}", flush=True)
        return 1
    if failure is not None:
        print(f"==> caravan agent stopped: {failure}", flush=True)
        return 1
    return 0
