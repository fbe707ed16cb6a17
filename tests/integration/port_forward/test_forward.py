"""`caravan alloc port-forward` against a real agent: HTTP servers run by a raw_exec and
an exec task, concurrent connections, half-close, nothing listening (issue 13 part 3)."""

from __future__ import annotations

import hashlib
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.agents import free_port, wait_until
from tests.integration.port_forward.cli import forwarding, stop
from tests.integration.port_forward.conftest import Served
from tests.integration.port_forward.servers import ports

pytestmark = pytest.mark.integration


def _get(port: int) -> str:
    return httpx.get(f"http://127.0.0.1:{port}/", timeout=30).text


def test_http_of_a_raw_exec_task_by_label_with_20_concurrent_requests(
        served: Served, tmp_path: Path) -> None:
    with forwarding(served.agent, tmp_path, served.raw["ID"][:8], ":http") as fwd:
        local = fwd.local["http"]
        with ThreadPoolExecutor(20) as pool:
            bodies = list(pool.map(_get, [local] * 20))
        assert bodies == ["raw-index\n"] * 20
        assert fwd.stdout().count(f"Handling connection for {local}") == 20
        assert stop(fwd) == 0


def test_http_of_an_exec_task_by_number_on_a_chosen_local_port(
        served: Served, tmp_path: Path) -> None:
    remote, local = ports(served.iso)["http"], free_port()
    with forwarding(served.agent, tmp_path, served.iso["ID"], f"{local}:{remote}",
                    flags=("-task", "main")) as fwd:
        assert fwd.stdout().startswith(f"Forwarding from 127.0.0.1:{local} -> {remote}\n")
        assert _get(local) == "iso-index\n"


@pytest.mark.parametrize("job", ["raw", "iso"])
def test_half_close_reaches_the_task_and_the_answer_still_comes_back(
        served: Served, tmp_path: Path, job: str) -> None:
    alloc = served.raw if job == "raw" else served.iso
    data = bytes(range(256)) * 8192  # 2 MiB
    with forwarding(served.agent, tmp_path, alloc["ID"], ":digest") as fwd:
        with socket.create_connection(("127.0.0.1", fwd.local["digest"]), timeout=30) as conn:
            conn.sendall(data)
            conn.shutdown(socket.SHUT_WR)  # the server answers only once it reads EOF
            answer = b""
            while chunk := conn.recv(65536):
                answer += chunk
    assert answer.decode() == f"{len(data)} {hashlib.sha256(data).hexdigest()}"


def test_nothing_listening_is_reported_and_the_listener_keeps_running(
        served: Served, tmp_path: Path) -> None:
    with forwarding(served.agent, tmp_path, served.raw["ID"], ":idle", ":http") as fwd:
        for attempt in (1, 2):
            with socket.create_connection(("127.0.0.1", fwd.local["idle"]), timeout=30) as c:
                assert c.recv(1) == b""  # closed once the agent reports the refusal
            wait_until(lambda: fwd.stderr().count("connection refused") == attempt, 30,
                       what="the refusal on stderr")
        idle = ports(served.raw)["idle"]
        assert (f"error forwarding {fwd.local['idle']} -> idle: connection refused: nothing "
                f"listens on port {idle} of allocation {served.raw['ID'][:8]}") in fwd.stderr()
        assert _get(fwd.local["http"]) == "raw-index\n"
        assert fwd.proc.poll() is None


def test_bad_port_specifications_are_usage_errors(served: Served, tmp_path: Path) -> None:
    import subprocess

    from tests.agents import CARAVAN
    for spec in ("70000", "0", "x:80", "80:ht tp", "99999:80"):
        result = subprocess.run([CARAVAN, "alloc", "port-forward", served.raw["ID"], spec],
                                env=served.agent.env, capture_output=True, text=True,
                                timeout=30)
        assert result.returncode == 1, (spec, result.stderr)
        assert "invalid port" in result.stderr, (spec, result.stderr)
