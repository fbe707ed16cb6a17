"""Exec session audit and recordings on a real cluster (issue 13 part 4).

    server   a server agent (no client)
    rec      a client agent, `exec_recording { enabled = true }` (input not recorded)
    inp      a client agent, `exec_recording { enabled = true  input = true }`

Both clients are -dev agents with their own data dirs: stopping one destroys its
allocations (as the server's stop of an allocation would), a SIGKILL leaves them to be
re-attached. Jobs are pinned by node name. Tests in file order: the restart and the
destroy come last.
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from caravan.api import Client
from caravan.api.exec import exec_session
from caravan.execproto.asciicast import decode, event_bytes
from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

RECORD = "client {\n  exec_recording {\n    enabled = true\n  }\n}\n"
RECORD_INPUT = "client {\n  exec_recording {\n    enabled = true\n    input = true\n  }\n}\n"


@dataclass
class Cluster:
    server: AgentProcess
    rec: AgentProcess
    inp: AgentProcess
    web: str   # raw_exec on rec
    iso: str   # exec (runc) on rec
    typed: str  # raw_exec on inp


def _pinned(job: dict[str, Any], node: str) -> dict[str, Any]:
    job["Job"]["Constraints"] = [{"LTarget": "${node.unique.name}", "RTarget": node,
                                  "Operand": "="}]
    return job


def _running(server: AgentProcess, job: str) -> str | None:
    stubs = httpx.get(f"{server.address}/v1/job/{job}/allocations", timeout=10).json()
    for stub in stubs:
        states = stub.get("TaskStates") or {}
        if stub["ClientStatus"] == "running" and states.get("main", {}).get("State") == "running":
            return str(stub["ID"])
    return None


def _start_job(server: AgentProcess, job: dict[str, Any]) -> str:
    httpx.post(f"{server.address}/v1/jobs", json=job, timeout=10).raise_for_status()
    name = job["Job"]["ID"]
    return str(wait_until(lambda: _running(server, name), 90, what=f"{name} running"))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    root = tmp_path_factory.mktemp("audit")
    # A long heartbeat grace: restarting `rec` must not get its allocations marked lost.
    server = AgentProcess(root=root, name="server", dev=False, client=False,
                          heartbeat_grace="60s", min_heartbeat_ttl="10s")
    started: list[AgentProcess] = []
    try:
        started.append(server.start())
        addr = server.address.removeprefix("http://")
        rec = AgentProcess(root=root, name="rec", server=False, servers=[addr],
                           config=RECORD)
        inp = AgentProcess(root=root, name="inp", server=False, servers=[addr],
                           config=RECORD_INPUT)
        started += [rec.start(), inp.start()]
        sleeper = ["-c", "exec sleep 3600"]
        web = _start_job(server, _pinned(raw_exec_job("web", args=sleeper), "rec"))
        iso = _start_job(server, _pinned(exec_job("iso", "exec sleep 3600",
                                                  job_type="service"), "rec"))
        typed = _start_job(server, _pinned(raw_exec_job("typed", args=sleeper), "inp"))
        yield Cluster(server, rec, inp, web, iso, typed)
    finally:
        for agent in reversed(started):
            agent.stop()


async def _exec(address: str, alloc_id: str, command: list[str], stdin: bytes = b"", *,
                tty: bool = False, size: tuple[int, int] | None = None,
                task: str = "main") -> tuple[int | None, bytes]:
    """A session through `address`: (exit code, stdout and stderr as received)."""
    out = b""
    with Client(address, env={}) as client:
        async with exec_session(client, alloc_id, task, command, tty=tty) as session:
            if size:
                await session.resize(*size)
            await session.send_stdin(stdin)
            if not tty:
                await session.close_stdin()
            async for chunk in session:
                out += chunk.data
            return session.exit_code, out


def _sessions(agent: AgentProcess, **params: str) -> list[dict[str, Any]]:
    reply = httpx.get(f"{agent.address}/v1/exec/sessions", params=params, timeout=10)
    assert reply.status_code == 200, reply.text
    return list(reply.json())


def _record(cluster: Cluster, alloc_id: str, marker: str) -> dict[str, Any]:
    """The ended record of the session whose command contains `marker`."""
    def ended() -> dict[str, Any] | None:
        for r in _sessions(cluster.server, alloc=alloc_id):
            if marker in " ".join(r["Command"]) and r["EndTime"]:
                return r
        return None
    return wait_until(ended, 30, what=f"the record of {marker!r}")  # type: ignore[no-any-return]


def _recording(agent: AgentProcess, session_id: str) -> httpx.Response:
    return httpx.get(f"{agent.address}/v1/exec/session/{session_id}/recording", timeout=10)


def _output(cast: bytes) -> bytes:
    _, events = decode(cast.decode("utf-8", "surrogateescape"))
    return b"".join(event_bytes(e) for e in events if e.code == "o")


def test_a_cli_session_writes_one_record(cluster: Cluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", cluster.web[:8], "/bin/sh",
                           "-c", "echo out-1; echo err-1 >&2; exit 7"], capture_output=True,
                          env=cluster.server.env, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout, done.stderr) == (7, b"out-1\n", b"err-1\n")
    record = _record(cluster, cluster.web, "out-1")
    node = httpx.get(f"{cluster.server.address}/v1/allocation/{cluster.web}",
                     timeout=10).json()["NodeID"]
    assert {k: record[k] for k in ("Kind", "Namespace", "JobID", "AllocID", "Task", "Tty",
                                   "ExitCode", "Error", "BytesIn", "BytesOut", "NodeID",
                                   "NodeName", "Recorded", "RecordedInput", "User")} == {
        "Kind": "exec", "Namespace": "default", "JobID": "web", "AllocID": cluster.web,
        "Task": "main", "Tty": False, "ExitCode": 7, "Error": "", "BytesIn": 0,
        "BytesOut": len(b"out-1\nerr-1\n"), "NodeID": node, "NodeName": "rec",
        "Recorded": True, "RecordedInput": False, "User": ""}
    assert record["Command"] == ["/bin/sh", "-c", "echo out-1; echo err-1 >&2; exit 7"]
    assert 0 < record["StartTime"] <= record["EndTime"]
    assert len([r for r in _sessions(cluster.server, job="web")
                if "out-1" in " ".join(r["Command"])]) == 1


def test_a_tty_recording_replays_byte_for_byte(cluster: Cluster) -> None:
    # UTF-8 split across writes, and bytes that are not UTF-8 at all.
    script = r"printf 'tty-\303'; sleep 0.2; printf '\251 \377\376 end\n'; stty size; exit 4"
    code, received = asyncio.run(_exec(cluster.server.address, cluster.iso,
                                       ["/bin/sh", "-c", script], tty=True, size=(33, 101)))
    assert code == 4 and b"33 101" in received and b"\xff\xfe" in received
    record = _record(cluster, cluster.iso, "tty-")
    assert (record["Tty"], record["JobID"], record["BytesOut"]) == (True, "iso", len(received))
    reply = _recording(cluster.server, record["ID"])
    assert reply.status_code == 200, reply.text
    assert reply.headers["content-type"].startswith("application/x-asciicast")
    header = json.loads(reply.content.splitlines()[0])
    assert (header["version"], header["width"], header["height"]) == (2, 101, 33)
    assert header["timestamp"] == record["StartTime"] // 1_000_000_000
    assert _output(reply.content) == received


def test_replay_prints_what_the_session_printed(cluster: Cluster) -> None:
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", cluster.web[:8], "/bin/sh",
                           "-c", "seq 1 300; printf 'r\\303\\251play\\n'"], capture_output=True,
                          env=cluster.inp.env, timeout=60, check=True,
                          stdin=subprocess.DEVNULL)
    record = _record(cluster, cluster.web, "play")
    replay = subprocess.run([CARAVAN, "exec", "replay", "-speed", "0", record["ID"][:36]],
                            capture_output=True, env=cluster.inp.env, timeout=60, check=False)
    assert (replay.returncode, replay.stderr) == (0, b"")
    assert replay.stdout == done.stdout


def test_input_is_not_recorded_unless_asked(cluster: Cluster) -> None:
    secret = b"hunter2-not-in-the-recording\n"
    code, _ = asyncio.run(_exec(cluster.server.address, cluster.web,
                                ["/bin/sh", "-c", "cat >/dev/null; echo quiet-in"], secret))
    assert code == 0
    record = _record(cluster, cluster.web, "quiet-in")
    assert (record["BytesIn"], record["RecordedInput"]) == (len(secret), False)
    cast = _recording(cluster.server, record["ID"]).content
    assert b"hunter2" not in cast
    assert all(e.code != "i" for e in decode(cast.decode())[1])
    # ... and recorded where the client says `input = true`.
    typed = b"typed-on-inp\n"
    asyncio.run(_exec(cluster.server.address, cluster.typed,
                      ["/bin/sh", "-c", "cat >/dev/null; echo loud-in"], typed))
    loud = _record(cluster, cluster.typed, "loud-in")
    assert (loud["RecordedInput"], loud["NodeName"]) == (True, "inp")
    events = decode(_recording(cluster.server, loud["ID"]).content.decode())[1]
    assert b"".join(event_bytes(e) for e in events if e.code == "i") == typed


def test_the_recording_is_reachable_through_every_agent(cluster: Cluster) -> None:
    asyncio.run(_exec(cluster.inp.address, cluster.web, ["echo", "relayed-by-inp"]))
    record = _record(cluster, cluster.web, "relayed-by-inp")
    assert record["NodeName"] == "rec"  # the node that ran it, not the one that relayed
    for agent in (cluster.server, cluster.inp, cluster.rec):
        reply = _recording(agent, record["ID"])
        assert reply.status_code == 200, (agent.name, reply.text)
        assert _output(reply.content) == b"relayed-by-inp\n"
    assert _recording(cluster.server, "0" * 8 + "-0000-0000-0000-" + "0" * 12).status_code \
        == 404


def test_a_failed_start_is_recorded_with_its_error(cluster: Cluster) -> None:
    with pytest.raises(Exception, match="no-such-binary"):
        asyncio.run(_exec(cluster.server.address, cluster.iso, ["/no-such-binary-x"]))
    record = _record(cluster, cluster.iso, "no-such-binary-x")
    assert record["ExitCode"] is None and "no-such-binary" in record["Error"]


def test_records_and_recordings_are_root_only_outside_the_alloc_dir(cluster: Cluster) -> None:
    record = _record(cluster, cluster.web, "out-1")
    audit_dir = cluster.rec.data_dir / "client" / "exec_audit"
    cast = audit_dir / "sessions" / cluster.web / f"{record['ID']}.cast"
    assert stat.S_IMODE(os.stat(audit_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(cast).st_mode) == 0o600
    assert not cast.resolve().is_relative_to((cluster.rec.data_dir / "alloc").resolve())


def test_sessions_cli_lists_a_table_and_json(cluster: Cluster) -> None:
    record = _record(cluster, cluster.web, "out-1")
    table = subprocess.run([CARAVAN, "exec", "sessions", "-job", "web"], capture_output=True,
                           env=cluster.server.env, timeout=60, check=True).stdout.decode()
    lines = table.splitlines()
    assert lines[0].split() == ["ID", "Started", "Duration", "Kind", "Job", "Alloc", "Task",
                                "Token", "Command", "Exit", "Recorded"]
    row = next(line for line in lines if line.startswith(record["ID"][:8]))
    assert " web " in row and cluster.web[:8] in row and " 7 " in row
    as_json = subprocess.run([CARAVAN, "exec", "sessions", "-alloc", cluster.typed[:8],
                              "-json"], capture_output=True, env=cluster.server.env,
                             timeout=60, check=True).stdout
    assert {r["AllocID"] for r in json.loads(as_json)} == {cluster.typed}


def test_a_copy_is_audited_and_not_recorded(cluster: Cluster, tmp_path: Path) -> None:
    done = subprocess.run([CARAVAN, "alloc", "cp", "-task", "main", f"{cluster.web}:local",
                           str(tmp_path / "local")], capture_output=True,
                          env=cluster.server.env, timeout=60, check=False)
    assert done.returncode == 0, done.stderr

    def copied() -> dict[str, Any] | None:
        return next((r for r in _sessions(cluster.server, alloc=cluster.web)
                     if r["Kind"] == "cp" and r["EndTime"]), None)
    record = wait_until(copied, 30, what="the cp record")
    assert (record["ExitCode"], record["Recorded"], record["Error"]) == (0, False, "")
    assert record["BytesOut"] > 0 and record["Command"]
    assert _recording(cluster.server, record["ID"]).status_code == 404


def test_a_recording_survives_an_agent_crash(cluster: Cluster) -> None:
    asyncio.run(_exec(cluster.server.address, cluster.web, ["echo", "before-restart"]))
    record = _record(cluster, cluster.web, "before-restart")
    before = _recording(cluster.server, record["ID"]).content
    # A session still open when the agent dies: its record is closed at the next start.
    # `cat` waits on stdin for as long as the session lasts, and ends with the agent's end
    # of its pipe: nothing outlives the crash.
    with subprocess.Popen([CARAVAN, "alloc", "exec", cluster.web[:8], "/bin/sh",
                           "-c", "echo mid-session; exec cat"], env=cluster.server.env,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL) as cli:
        assert cli.stdout is not None and cli.stdout.readline() == b"mid-session\n"
        open_one = wait_until(lambda: [r for r in _sessions(cluster.server, alloc=cluster.web)
                                       if "mid-session" in " ".join(r["Command"])], 30,
                              what="the open session's record")[0]
        assert open_one["EndTime"] == 0
        cluster.rec.kill()
        cli.wait(60)
    cluster.rec.start()
    wait_until(lambda: _running(cluster.server, "web") == cluster.web, 60, what="web back")
    after = _recording(cluster.server, record["ID"])
    assert (after.status_code, after.content) == (200, before)
    closed = _record(cluster, cluster.web, "mid-session")
    assert (closed["ID"], closed["Error"], closed["ExitCode"]) == (
        open_one["ID"], "the agent stopped before the session ended", None)
    assert _output(_recording(cluster.server, closed["ID"]).content) == b"mid-session\n"
    code, out = asyncio.run(_exec(cluster.server.address, cluster.web, ["echo", "after-it"]))
    assert (code, out) == (0, b"after-it\n")


def test_recordings_are_removed_with_their_allocation(cluster: Cluster) -> None:
    record = _record(cluster, cluster.typed, "loud-in")
    sessions = cluster.inp.data_dir / "client" / "exec_audit" / "sessions" / cluster.typed
    assert (sessions / f"{record['ID']}.cast").exists()
    cluster.inp.stop()  # a -dev agent destroys its allocations when it stops
    assert not sessions.exists()
    assert not (cluster.inp.data_dir / "alloc" / cluster.typed).exists()
    # The audit record itself stays with the server.
    assert [r["ID"] for r in _sessions(cluster.server, alloc=cluster.typed)
            if r["ID"] == record["ID"]] == [record["ID"]]
