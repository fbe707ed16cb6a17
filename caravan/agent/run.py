"""The agent process: builds server, client and HTTP from one config, runs them, stops them.

    start:  data dir ─▶ server (state, workers) ─▶ HTTP listening ─▶ client (registers
            with a server over HTTP, so HTTP must be up first in -dev)
    stop:   client (tasks keep running, unless -dev) ─▶ HTTP ─▶ server
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

import uvicorn

from caravan.clock import Clock, SystemClock
from caravan.config.agent import AgentConfig
from caravan.http.app import build_app
from caravan.http.context import AgentContext
from caravan.http.protocol import with_deadlines
from caravan.ids import IdGenerator, random_id

log = logging.getLogger(__name__)


class _HttpServer(uvicorn.Server):
    """uvicorn without its own signal handling: the agent decides when HTTP stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Agent:
    def __init__(self, config: AgentConfig, *, clock: Clock | None = None,
                 new_id: IdGenerator | None = None) -> None:
        self.config = config
        self._clock = clock or SystemClock()
        self._new_id = new_id or random_id
        self._temp_dir: Path | None = None

    def _data_dir(self) -> Path:
        if self.config.data_dir:
            path = Path(self.config.data_dir)
        else:
            self._temp_dir = Path(tempfile.mkdtemp(prefix="caravan-dev-"))
            path = self._temp_dir
        path.mkdir(parents=True, exist_ok=True)
        return path.resolve()

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set; always stops what it started."""
        cfg = self.config
        data_dir = self._data_dir()
        ctx = AgentContext(config=cfg, http_addr=_http_addr(cfg))
        if cfg.server.enabled:
            from caravan.server.server import Server

            ctx.server = Server.from_data_dir(
                data_dir, clock=self._clock, new_id=self._new_id, region=cfg.region,
                heartbeat_ttl_s=cfg.server.min_heartbeat_ttl,
                heartbeat_grace_s=cfg.server.heartbeat_grace, acl_enabled=cfg.acl.enabled,
                token_min_ttl_s=cfg.acl.token_min_expiration_ttl,
                token_max_ttl_s=cfg.acl.token_max_expiration_ttl,
                job_max_count=cfg.server.job_max_count)
            await ctx.server.start()
        http = _HttpServer(uvicorn.Config(
            build_app(ctx), host=cfg.bind_addr, port=cfg.ports.http, log_level="warning",
            lifespan="off", ws="websockets-sansio", ws_ping_interval=None, timeout_keep_alive=65,
            http=with_deadlines(cfg.limits.http_read_header_timeout,
                                cfg.limits.http_read_timeout,
                                cfg.limits.http_max_conns_per_client),
            # Blocking queries may be held open for minutes; do not let them hold up a stop.
            timeout_graceful_shutdown=2))
        serving = asyncio.create_task(http.serve(), name="http")
        try:
            await _wait_started(http, serving)
            log.info("caravan agent listening on http://%s", ctx.http_addr)
            if cfg.client.enabled:
                from caravan.client.client import Client

                servers = list(cfg.client.servers) or [ctx.http_addr]
                ctx.client = Client(cfg, data_dir=data_dir, http_addr=ctx.http_addr,
                                    servers=servers, clock=self._clock, new_id=self._new_id)
                await ctx.client.start()
            print(f"==> caravan agent started! HTTP API at http://{ctx.http_addr}", flush=True)
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({stopping, serving}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
        finally:
            await self._shutdown(ctx, http, serving)

    async def _shutdown(self, ctx: AgentContext, http: _HttpServer,
                        serving: asyncio.Task[None]) -> None:
        with contextlib.suppress(Exception):
            if ctx.client is not None:
                # A -dev agent's data dir is temporary, so its tasks go with it.
                await ctx.client.stop(destroy_allocs=self.config.dev_mode)
        if ctx.server is not None:
            ctx.server.store.release_waiters()
        http.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await serving
        if ctx.server is not None:
            await ctx.server.stop()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)


def _http_addr(cfg: AgentConfig) -> str:
    return cfg.http_url().removeprefix("http://")


async def _wait_started(http: _HttpServer, serving: asyncio.Task[None]) -> None:
    while not http.started:
        if serving.done():
            serving.result()  # re-raises the bind error
            raise RuntimeError("HTTP server exited before it started")
        await asyncio.sleep(0.02)


def run_agent(config: AgentConfig) -> int:
    """Blocking entry point for `caravan agent`: runs until SIGINT/SIGTERM."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await Agent(config).run(stop)

    try:
        asyncio.run(main())
    except OSError as e:
        log.error("agent failed: %s", e)
        print(f"==> Error starting agent: {e}", flush=True)
        return 1
    return 0
