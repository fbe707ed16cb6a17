"""What the security tests share: a gated HTTP server for artifacts, and job builders.

Each test plays a hostile task with only a job author's rights: an `exec` task running
as `nobody` with the default capabilities, or a `raw_exec` task with `user = "nobody"`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class GatedServer:
    """Serves one body on 127.0.0.1: the first half at once, the rest once `gate()` is true
    (or after `max_wait_s`), so an attacker task gets its chance mid-download."""

    body: bytes = b""
    gate: Callable[[], bool] = lambda: True
    max_wait_s: float = 30.0
    port: int = 0
    stopping: threading.Event = field(default_factory=threading.Event)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.port}/{name}"


def _handler(state: GatedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            half = len(state.body) // 2
            self.send_response(200)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body[:half])
            self.wfile.flush()
            waited = 0.0
            while not state.gate() and waited < state.max_wait_s:
                if state.stopping.wait(0.1):
                    return
                waited += 0.1
            self.wfile.write(state.body[half:])

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def gated_server() -> Iterator[GatedServer]:
    state = GatedServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def task(name: str, driver: str, script: str, *, user: str = "",
         **fields: Any) -> dict[str, Any]:
    """One task running `/bin/sh -c script`."""
    return {"Name": name, "Driver": driver, "User": user, "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 100, "MemoryMB": 64}, **fields}


def group_job(job_id: str, tasks: list[dict[str, Any]], *,
              restart_attempts: int = 0) -> dict[str, Any]:
    group = {"Name": "main", "Count": 1, "Tasks": tasks,
             "RestartPolicy": {"Attempts": restart_attempts, "Mode": "fail",
                               "Interval": 600_000_000_000, "Delay": 100_000_000},
             "ReschedulePolicy": {"Attempts": 0, "Unlimited": False}}
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                    "TaskGroups": [group]}}
