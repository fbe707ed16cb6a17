"""A real agent whose loop dies reports it and stops cleanly with a non-zero exit.

The failure is a real one: the client agent's configured server address answers every
request with 200 and a JSON body that is not Nomad's (a web service other than a
caravan/Nomad server behind that address). Registration cannot decode the reply,
which is not one of the errors the heartbeat loop retries, so the loop dies. Before
the loops were supervised it died silently while the agent kept serving, its node
never registered.
"""

from __future__ import annotations

import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.agents import CARAVAN, AgentProcess, free_port

pytestmark = pytest.mark.integration


class _NotNomad(BaseHTTPRequestHandler):
    """Answers every request 200 with a body of the wrong shape."""

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = json.dumps({"HeartbeatTTL": "soon", "Index": "n/a"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def not_nomad() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotNomad)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_a_dead_heartbeat_loop_stops_the_agent(tmp_path: Path, not_nomad: str) -> None:
    agent = AgentProcess(root=tmp_path, name="client", dev=False, server=False,
                         servers=[not_nomad], port=free_port())
    config = agent.write_config()
    log = agent.log_path.open("ab")
    agent.proc = subprocess.Popen([CARAVAN, "agent", "-config", str(config)],
                                  stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL, env=agent.env)
    log.close()
    try:
        code = agent.proc.wait(timeout=30)
    finally:
        agent.stop()
    logs = agent.logs()
    assert code == 1, logs
    assert "client heartbeat loop stopped unexpectedly (ValidationError" in logs
    assert "task heartbeat failed" in logs and "Traceback" in logs  # logged with its cause
    assert "==> caravan agent stopped: client heartbeat loop stopped unexpectedly" in logs
    # Stopped cleanly: the HTTP port is free again, nothing else failed on the way out.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", agent.port))
    assert logs.count("Traceback") == 1, logs
