"""A forwarded request carries what the forwarding agent adds. A server marks a write it
sends on to the leader: the mark must reach the other end, or a server that is not the
leader would send the write on again instead of refusing it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.config.agent import AgentConfig
from caravan.http.context import AgentContext
from caravan.http.forward import forward
from caravan.http.leader_forward import FORWARDED


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []

    def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append({**{k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode()})
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        _Recorder.seen.clear()


def test_added_headers_reach_the_other_end_with_the_callers(upstream: str) -> None:
    async def relay(request: Request) -> Response:
        return await forward(request, upstream, headers={FORWARDED: "1"})

    app = Starlette(routes=[Route("/v1/jobs", relay, methods=["POST"])])
    app.state.ctx = AgentContext(config=AgentConfig(), http_addr="127.0.0.1:1")

    async def call() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://agent") as http:
            return await http.post("/v1/jobs", json={"Job": {}},
                                   headers={"X-Nomad-Token": "secret"})

    assert asyncio.run(call()).status_code == 200
    (seen,) = _Recorder.seen
    assert seen[FORWARDED.lower()] == "1"
    assert seen["x-nomad-token"] == "secret"
    assert seen["body"] == '{"Job":{}}'
