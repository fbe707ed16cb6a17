"""Real caravan agents as subprocesses on free ports, for integration and e2e tests.

Every agent started here is stopped by the test that started it (by PID): SIGTERM,
a grace period, then SIGKILL. A -dev agent destroys its allocations on stop.
"""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from caravan.client.mounts import mounts_under, unmount

CARAVAN = str(Path(sys.executable).with_name("caravan"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class AgentProcess:
    """One agent. `config` is extra HCL appended to the generated agent file."""

    root: Path
    name: str = "agent"
    dev: bool = True
    server: bool = True
    client: bool = True
    servers: list[str] = field(default_factory=list)
    config: str = ""
    extra_env: dict[str, str] = field(default_factory=dict)  # on top of the test's own
    launcher: list[str] = field(default_factory=list)  # e.g. setpriv ... --, before caravan
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    # An agent with `tls { http = true }` in `config`: readiness is probed over HTTPS
    # with this context (which carries a client certificate if the agent wants one).
    probe_tls: ssl.SSLContext | None = None

    @property
    def address(self) -> str:
        return f"{'https' if self.probe_tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        return self.root / self.name / "data"

    @property
    def log_path(self) -> Path:
        return self.root / self.name / "agent.log"

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("NOMAD_ADDR", None)
        env["CARAVAN_ADDR"] = self.address
        env.update(self.extra_env)
        return env

    def write_config(self) -> Path:
        servers = ", ".join(f'"{s}"' for s in self.servers)
        text = f'''
name = "{self.name}"
data_dir = "{self.data_dir}"
bind_addr = "127.0.0.1"
ports {{ http = {self.port} }}
server {{
  enabled = {str(self.server).lower()}
  heartbeat_grace = "2s"
  min_heartbeat_ttl = "2s"
}}
client {{
  enabled = {str(self.client).lower()}
  servers = [{servers}]
}}
plugin "raw_exec" {{ config {{ enabled = true }} }}
{self.config}
'''
        path = self.root / self.name / "agent.hcl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        return path

    def start(self, timeout_s: float = 30.0) -> AgentProcess:
        cfg = self.write_config()
        args = [CARAVAN, "agent", "-config", str(cfg)]
        if self.dev:
            args.insert(2, "-dev")
        args = [*self.launcher, *args]
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, env=self.env)
        log.close()
        self.wait_ready(timeout_s)
        return self

    def wait_ready(self, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise RuntimeError(f"agent exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                body = httpx.get(f"{self.address}/v1/agent/self", timeout=1,
                                 verify=self.probe_tls or True).json()
                if not self.client or body.get("stats", {}).get("client", {}).get("node_id"):
                    if not self.server or self.client is False or self._node_ready():
                        return
            except (httpx.HTTPError, ValueError):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"agent {self.name} not ready after {timeout_s}s:\n{self.logs()}")

    def _node_ready(self) -> bool:
        nodes = httpx.get(f"{self.address}/v1/nodes", timeout=1,
                          verify=self.probe_tls or True).json()
        return any(n["Status"] == "ready" for n in nodes)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout_s: float = 20.0) -> int | None:
        """SIGTERM, wait, SIGKILL; returns the exit code. Safe to call twice.

        A non-dev agent leaves its alloc dirs for its next start, each a nosuid,nodev
        mount of itself: those with nothing mounted below them are unmounted here, as
        a test removes its temporary files (anything deeper is a leak the guard sees)."""
        try:
            if self.proc is None or self.proc.poll() is not None:
                return self.proc.returncode if self.proc else None
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                return self.proc.wait()
        finally:
            self._unmount_alloc_dirs()

    def _unmount_alloc_dirs(self) -> None:
        alloc_root = self.data_dir / "alloc"
        for point in mounts_under(alloc_root):
            if point.parent == alloc_root and mounts_under(point) == [point]:
                unmount(point)

    def kill(self) -> None:
        """SIGKILL, as a crash: the agent gets no chance to clean up."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def wait_until(predicate, timeout_s: float = 30.0, interval_s: float = 0.1, what: str = ""):  # type: ignore[no-untyped-def]
    """Poll `predicate` until it returns a truthy value; fail with `what` on timeout."""
    deadline = time.monotonic() + timeout_s
    last = None
    while time.monotonic() < deadline:
        last = predicate()
        if last:
            return last
        time.sleep(interval_s)
    raise AssertionError(f"timed out after {timeout_s}s waiting for {what or predicate}: {last!r}")


def host_processes(cmdline: str) -> list[int]:
    """PIDs of host processes whose command line (args joined by spaces) is `cmdline`."""
    found = []
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                text = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            if text.strip() == cmdline:
                found.append(int(name))
    return found
