"""The Task API socket: an exec task runs `caravan var get` with no address and no
token and reads its own Variable through secrets/api.sock; another job's Variable is
refused; the socket belongs to the task user and goes away with the task."""

from __future__ import annotations

import os
import socket
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import caravan
from caravan.config.agent import DEFAULT_CHROOT_ENV
from tests.agents import wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent

pytestmark = pytest.mark.integration

TREE = str(Path(caravan.__file__).resolve().parents[1])
PREFIX = sys.base_prefix  # the interpreter behind the venv
VENV = sys.prefix


def _chroot() -> str:
    paths = {**DEFAULT_CHROOT_ENV, TREE: TREE, PREFIX: PREFIX, VENV: VENV}
    return "client {\n  chroot_env {\n" + "".join(
        f'    "{k}" = "{v}"\n' for k, v in paths.items()) + "  }\n}\n"


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    agent = AclAgent(root=tmp_path_factory.mktemp("taskapi"), name="taskapi",
                     config=ACL_ON + _chroot())
    try:
        agent.start(timeout_s=60)
        yield agent
    finally:
        agent.stop()


def _job(job_id: str, script: str) -> dict[str, object]:
    task: dict[str, object] = {"Name": "main", "Driver": "exec", "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            # The agent under test was started with CARAVAN_ADDR, which its tasks inherit;
            # a task of an agent started without it sees no address at all.
            "Env": {"PYTHONPATH": TREE, "HOME": "/local", "CARAVAN_ADDR": ""},
            "Resources": {"CPU": 100, "MemoryMB": 256},
            "Identity": {"File": True}}
    return {"Job": {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                    "TaskGroups": [{"Name": "g", "Count": 1, "Tasks": [task]}]}}


def _alloc(root: httpx.Client, job_id: str) -> dict[str, object]:
    def running() -> dict[str, object] | None:
        for stub in root.get(f"/v1/job/{job_id}/allocations").json():
            if stub["ClientStatus"] == "running":
                return dict(root.get(f"/v1/allocation/{stub['ID']}").json())
            assert stub["ClientStatus"] != "failed", stub
        return None

    return dict(wait_until(running, 90, what=f"{job_id} running"))


def _log(root: httpx.Client, alloc_id: object, stream: str = "stdout") -> str:
    reply = root.get(f"/v1/client/fs/logs/{alloc_id}",
                     params={"task": "main", "type": stream, "plain": "true"})
    return reply.text if reply.status_code == 200 else ""


def test_an_exec_task_reads_its_variable_through_the_socket(agent: AclAgent) -> None:
    caravan_bin = f"{VENV}/bin/caravan"
    script = (f"env | grep -c '^NOMAD_TOKEN=' ; "
              "stat -c 'token-file %a %U' /secrets/nomad_token; "
              f"{caravan_bin} var get -item greeting nomad/jobs/api-reader; echo; "
              f"{caravan_bin} var get nomad/jobs/api-other >/dev/null 2>/local/denied; "
              "echo denied-exit=$?; cat /local/denied; sleep 300")
    with agent.http(agent.root_secret) as root:
        for job_id in ("api-reader", "api-other"):
            reply = root.put(f"/v1/var/nomad/jobs/{job_id}",
                             json={"Items": {"greeting": f"hello from {job_id}"}})
            assert reply.status_code == 200, reply.text
        assert root.put("/v1/jobs", json=_job("api-reader", script)).status_code == 200
        try:
            alloc = _alloc(root, "api-reader")
            sock = (agent.data_dir / "alloc" / str(alloc["ID"]) / "main" / "secrets" /
                    "api.sock")
            out = wait_until(lambda: "denied-exit=" in _log(root, alloc["ID"])
                             and _log(root, alloc["ID"]), 90, what="the task's output")
            assert "hello from api-reader" in out, (out, _log(root, alloc["ID"], "stderr"))
            assert out.startswith("0\n")  # no NOMAD_TOKEN in its environment: the socket is enough
            assert "denied-exit=1" in out and "403" in out, out
            assert "token-file 600 nobody" in out, out
            assert "hello from api-other" not in out
            info = sock.lstat()
            assert stat.S_ISSOCK(info.st_mode) and stat.S_IMODE(info.st_mode) == 0o600
            assert info.st_uid == 65534  # the task user (nobody), not root
            root.delete("/v1/job/api-reader", params={"purge": "true"})
            wait_until(lambda: not sock.exists(), 60, what="the socket removed with the task")
        finally:
            root.delete("/v1/job/api-reader", params={"purge": "true"})


def _via_socket(sock: Path, path: str) -> int:
    """The status of GET `path` through the task's socket as the host sees it (0: no
    answer). Reached through a directory descriptor: AF_UNIX paths are short."""
    fd = os.open(sock.parent, os.O_RDONLY | os.O_DIRECTORY)
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(10)
        conn.connect(f"/proc/self/fd/{fd}/{sock.name}")
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: task\r\nConnection: close\r\n\r\n"
                     .encode())
        head = conn.recv(64).split(b" ")
        return int(head[1]) if len(head) > 1 else 0
    except OSError:
        return 0
    finally:
        conn.close()
        os.close(fd)


def test_the_socket_is_served_again_after_an_agent_restart(agent: AclAgent) -> None:
    with agent.http(agent.root_secret) as root:
        assert root.put("/v1/var/nomad/jobs/api-restore",
                        json={"Items": {"k": "v"}}).status_code == 200
        assert root.put("/v1/jobs", json=_job("api-restore", "sleep 300")).status_code == 200
        try:
            alloc = _alloc(root, "api-restore")
            sock = (agent.data_dir / "alloc" / str(alloc["ID"]) / "main" / "secrets" /
                    "api.sock")
            wait_until(lambda: _via_socket(sock, "/v1/var/nomad/jobs/api-restore") == 200,
                       30, what="the socket to answer")
            agent.kill()  # the task keeps running; nothing listens on its socket now
            assert _via_socket(sock, "/v1/var/nomad/jobs/api-restore") == 0
            agent.bootstrap = False
            agent.start(timeout_s=60)
            wait_until(lambda: _via_socket(sock, "/v1/var/nomad/jobs/api-restore") == 200,
                       60, what="the re-attached task's socket to answer again")
            assert _via_socket(sock, "/v1/var/nomad/jobs/other") == 403
        finally:
            root.delete("/v1/job/api-restore", params={"purge": "true"})
