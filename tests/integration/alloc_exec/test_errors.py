"""Every way `caravan alloc exec` refuses, with Nomad's texts and a non-zero exit (issue 4)."""

from __future__ import annotations

import collections
import json
import subprocess
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.alloc_exec.conftest import Allocs
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration


def cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, "alloc", "exec", *args], capture_output=True, text=True,
                          env=agent.env, timeout=60, check=False, stdin=subprocess.DEVNULL)


def refused(agent: AgentProcess, *args: str) -> str:
    done = cli(agent, *args)
    assert done.returncode == 1, (done.stdout, done.stderr)
    return done.stderr


def test_usage_errors(allocs: Allocs) -> None:
    agent, alloc = allocs.agent, allocs.web["ID"]
    assert refused(agent) == ("An allocation ID is required\n"
                              "For additional help try 'caravan alloc exec -help'\n")
    assert refused(agent, "-job").startswith("A job ID is required\n")
    assert refused(agent, "a", "ls") == "Alloc ID must contain at least two characters\n"
    assert refused(agent, alloc) == ("A command is required\n"
                                     "For additional help try 'caravan alloc exec -help'\n")
    assert refused(agent, "-t", "-i=false", alloc, "ls") == \
        "-i must be enabled if running with tty\n"
    assert refused(agent, "-e", "xy", alloc, "ls") == \
        "-e requires 'none' or a single character\n"
    assert refused(agent, "-t", alloc, "ls") == "failed to exec into task: not a terminal\n"


def test_several_tasks_and_no_task_flag_lists_them(allocs: Allocs) -> None:
    alloc = allocs.multi["ID"]
    assert refused(allocs.agent, alloc, "ls") == (
        f'Allocation "{alloc[:8]}" is running the following tasks:\n'
        "  * short\n  * long\n\nPlease specify the task.\n")
    done = cli(allocs.agent, "-task", "long", alloc, "echo", "picked")
    assert (done.returncode, done.stdout) == (0, "picked\n")


def test_unknown_task(allocs: Allocs) -> None:
    assert refused(allocs.agent, "-task", "nope", allocs.multi["ID"], "ls") == \
        "Could not find task named: nope, found:\nshort\nlong\n"


def test_task_that_is_not_running(allocs: Allocs) -> None:
    assert refused(allocs.agent, "-task", "short", allocs.multi["ID"], "ls") == \
        'failed to exec into task: task "short" is not running.\n'


def test_allocation_that_is_not_running_says_its_status(allocs: Allocs) -> None:
    alloc = allocs.done["ID"]
    assert refused(allocs.agent, alloc, "ls") == (
        f"failed to exec into task: exec not possible, client status of allocation {alloc} "
        "is complete\n")


def test_unknown_allocation_and_job(allocs: Allocs) -> None:
    assert refused(allocs.agent, "ffffffff-0000", "ls") == \
        'No allocation(s) with prefix or id "ffffffff-0000" found\n'
    assert refused(allocs.agent, "-job", "no-such-job", "ls") == \
        'No job(s) with prefix or ID "no-such-job" found\n'


def test_job_flag_picks_a_running_allocation(allocs: Allocs) -> None:
    done = cli(allocs.agent, "-job", "web", "/bin/sh", "-c", "echo $NOMAD_ALLOC_ID")
    assert (done.returncode, done.stdout) == (0, allocs.web["ID"] + "\n")


def test_command_not_found_inside_the_task(allocs: Allocs) -> None:
    stderr = refused(allocs.agent, allocs.web["ID"], "no-such-command")
    assert stderr.startswith("failed to exec into task: failed to start command: ")
    assert 'exec: "no-such-command": executable file not found in $PATH' in stderr
    stderr = refused(allocs.agent, allocs.raw["ID"], "no-such-command")
    assert stderr == ('failed to exec into task: failed to start command: exec: '
                      '"no-such-command": executable file not found in $PATH\n')


def _ws(agent: AgentProcess, alloc_id: str, **params: str) -> tuple[int, str]:
    """(close code, reason) of a session the agent refuses; (status, body) before upgrade."""
    url = agent.address.replace("http", "ws", 1) + \
        f"/v1/client/allocation/{alloc_id}/exec?{urlencode(params)}"
    try:
        with connect(url, open_timeout=10) as ws:
            ws.recv(timeout=30)
    except ConnectionClosedError as err:
        assert err.rcvd is not None
        return err.rcvd.code, err.rcvd.reason
    except InvalidStatus as err:
        return err.response.status_code, err.response.body.decode().strip()
    raise AssertionError("the session was not refused")


def test_websocket_checks_in_nomads_order(allocs: Allocs) -> None:
    agent, alloc = allocs.agent, allocs.web["ID"]
    ls = json.dumps(["ls"])
    assert _ws(agent, alloc, task="main", command="nope")[1].startswith(
        "failed to marshal command into json")
    assert _ws(agent, alloc, task="main", command=ls, tty="maybe") == (
        400, 'tty value is not a boolean: "maybe"')
    assert _ws(agent, "0" * 8 + alloc[8:], task="main", command=ls) == (
        1008, f'Unknown allocation "{"0" * 8 + alloc[8:]}"')
    assert _ws(agent, alloc, command=ls) == (1008, "must provide task name")
    assert _ws(agent, alloc, task="main", command="[]") == (1008, "command is not present")
    assert _ws(agent, alloc, task="nope", command=ls) == (1008, 'unknown task name "nope"')
    assert _ws(agent, alloc, task="main", command=ls, ws_handshake="maybe") == (
        1008, 'ws_handshake value is not a boolean: "maybe"')


def test_ws_handshake_message(allocs: Allocs) -> None:
    query = urlencode({"task": "main", "command": json.dumps(["echo", "shook"]),
                       "ws_handshake": "true"})
    url = allocs.agent.address.replace("http", "ws", 1) + \
        f"/v1/client/allocation/{allocs.web['ID']}/exec?{query}"
    with connect(url) as ws:
        ws.send(json.dumps({"version": 1, "auth_token": ""}))
        assert json.loads(ws.recv(timeout=30)) == {"stdout": {"data": "c2hvb2sK"}}
    with connect(url) as ws:
        ws.send(json.dumps({"version": 2, "auth_token": ""}))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=30)
    assert closed.value.rcvd is not None
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (
        1008, "unexpected handshake value: 2")


# ---- an agent with disable_remote_exec ---------------------------------------------------


@pytest.fixture(scope="module")
def locked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("locked"), name="locked",
                         config="client {\n  disable_remote_exec = true\n}\n")
    try:
        yield agent.start()
    finally:
        agent.stop()


def test_disable_remote_exec_refuses_with_nomads_error(locked: AgentProcess) -> None:
    httpx.post(f"{locked.address}/v1/jobs", json=raw_exec_job("svc"), timeout=10)
    alloc = wait_until(lambda: _running(locked, "svc"), 60, what="svc running")
    assert refused(locked, alloc, "true") == "failed to exec into task: Permission denied\n"
    assert _ws(locked, alloc, task="main", command='["true"]') == (1011, "Permission denied")


def test_ambiguous_prefix_lists_the_matches(locked: AgentProcess) -> None:
    # 80 allocations: two of them share their first two hex digits (all but certainly).
    job = raw_exec_job("many", job_type="batch", count=80, cpu=10, memory=10,
                       args=["-c", "true"])
    httpx.post(f"{locked.address}/v1/jobs", json=job, timeout=10).raise_for_status()
    ids = wait_until(lambda: _alloc_ids(locked, "many", 80), 120, what="80 allocations")
    prefix, count = collections.Counter(i[:2] for i in ids).most_common(1)[0]
    assert count > 1
    stderr = refused(locked, prefix, "true")
    assert stderr.startswith("Prefix matched multiple allocations\n\nID  ")
    for alloc_id in ids:
        assert (alloc_id[:8] in stderr) == alloc_id.startswith(prefix)


def _running(agent: AgentProcess, job: str) -> str | None:
    for stub in httpx.get(f"{agent.address}/v1/job/{job}/allocations", timeout=10).json():
        if stub["ClientStatus"] == "running":
            return str(stub["ID"])
    return None


def _alloc_ids(agent: AgentProcess, job: str, count: int) -> list[str] | None:
    stubs = httpx.get(f"{agent.address}/v1/job/{job}/allocations", timeout=10).json()
    return [s["ID"] for s in stubs] if len(stubs) >= count else None
