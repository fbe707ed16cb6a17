"""A real HTTP server for artifact tests, a task dir, and a guard over the host.

The server is the standard library's, on 127.0.0.1 and a free port, in a thread the
fixture stops. Routes are set per test: bytes to serve, a status, a redirect, or a
slow body that sends a little and then stalls until the server stops.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from caravan.client.artifacts import ArtifactConfig
from caravan.structs import TaskArtifact


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    location: str = ""  # a redirect target
    slow: bool = False  # send 10 bytes of a declared body, then stall


@dataclass
class Seen:
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class ArtifactServer:
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    stopping: threading.Event = field(default_factory=threading.Event)
    port: int = 0

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def serve(self, path: str, body: bytes) -> str:
        self.routes[path] = Route(body)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)


def _handler(state: ArtifactServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            parts = urlsplit(self.path)
            state.seen.append(Seen(parts.path, parts.query, dict(self.headers.items())))
            route = state.routes.get(parts.path, Route(b"not found\n", 404))
            self.send_response(route.status)
            if route.location:
                self.send_header("Location", route.location)
            length = 1 << 30 if route.slow else len(route.body)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            if route.slow:
                self.wfile.write(b"0123456789")
                self.wfile.flush()
                state.stopping.wait(30)
                return
            self.wfile.write(route.body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def server() -> Iterator[ArtifactServer]:
    state = ArtifactServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    httpd.daemon_threads = True
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              name="artifact-server")
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


@pytest.fixture
def task_dir(tmp_path: Path) -> Path:
    """`<tmp>/alloc/web`, laid out as the client builds a task dir."""
    path = tmp_path / "alloc" / "web"
    for sub in ("local", "secrets", "private", "tmp"):
        (path / sub).mkdir(parents=True)
        os.chmod(path / sub, 0o777)
    return path


@pytest.fixture
def config() -> ArtifactConfig:
    return ArtifactConfig(http_read_timeout="5s", decompression_size_limit="1MiB",
                          decompression_file_count_limit=50)


def artifact(source: str, **fields: object) -> TaskArtifact:
    return TaskArtifact.model_validate({"getter_source": source, **fields})


def snapshot(root: Path, skip: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """path -> (mode, size, mtime_ns) of everything under `root`, without following links."""
    found: dict[str, tuple[int, int, int]] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        if skip is not None:
            dirnames[:] = [d for d in dirnames if Path(dirpath, d) != skip]
        for name in dirnames + filenames:
            info = os.lstat(os.path.join(dirpath, name))
            found[os.path.join(dirpath, name)] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


@dataclass
class HostGuard:
    """What a malicious artifact would have to change to escape: all of it is compared."""

    tmp_path: Path
    task_dir: Path
    sentinel: Path
    watched: list[Path]
    before: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    before_outside: dict[str, list[str]] = field(default_factory=dict)

    def take(self) -> None:
        self.before = self._snapshot()
        self.before_outside = {str(p): sorted(os.listdir(p)) for p in self.watched}

    def assert_untouched(self) -> None:
        assert self._snapshot() == self.before

    def _snapshot(self) -> dict[str, tuple[int, int, int]]:
        found = snapshot(self.tmp_path, skip=self.task_dir)
        # Artifacts are staged in the alloc dir (the task dir's parent): its mtime moves.
        alloc_dir = str(self.task_dir.parent)
        if alloc_dir in found:
            found[alloc_dir] = (*found[alloc_dir][:2], 0)
        return found
        assert {str(p): sorted(os.listdir(p)) for p in self.watched} == self.before_outside


@pytest.fixture
def host(tmp_path: Path, task_dir: Path) -> Iterator[HostGuard]:
    """A sentinel dir beside the task dir (with a victim file) and watched host dirs."""
    sentinel = tmp_path / "sentinel"
    sentinel.mkdir()
    (sentinel / "victim").write_bytes(b"do not touch\n")
    # /tmp itself is shared with other processes; tests check their /tmp targets by name.
    watched = [Path("/etc"), tmp_path.parent, Path("/")]
    guard = HostGuard(tmp_path, task_dir, sentinel, watched)
    guard.take()
    yield guard
    guard.assert_untouched()
