"""`caravan alloc exec` without a pty: streams, exit codes, isolation (issue 4)."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from websockets.sync.client import connect

from tests.agents import CARAVAN, host_processes, wait_until
from tests.integration.alloc_exec.conftest import Allocs

pytestmark = pytest.mark.integration


def cli(allocs: Allocs, *args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CARAVAN, "alloc", "exec", *args], input=stdin, capture_output=True,
                          env=allocs.agent.env, timeout=120, check=False)


def test_stdout_and_stderr_stay_apart_and_the_exit_code_is_the_commands(allocs: Allocs) -> None:
    done = cli(allocs, allocs.web["ID"][:8], "/bin/sh", "-c",
               "echo hello stdout; echo hello stderr >&2; exit 43")
    assert (done.returncode, done.stdout, done.stderr) == (43, b"hello stdout\n",
                                                          b"hello stderr\n")


@pytest.mark.parametrize(("script", "code"), [("true", 0), ("false", 1), ("kill -9 $$", 137)])
def test_exit_codes(allocs: Allocs, script: str, code: int) -> None:
    assert cli(allocs, allocs.web["ID"], "/bin/sh", "-c", script).returncode == code


def test_exec_alias(allocs: Allocs) -> None:
    done = subprocess.run([CARAVAN, "exec", allocs.web["ID"], "echo", "via-alias"],
                          capture_output=True, env=allocs.agent.env, timeout=60, check=False,
                          stdin=subprocess.DEVNULL)
    assert (done.returncode, done.stdout) == (0, b"via-alias\n")


def test_heredoc_on_stdin(allocs: Allocs) -> None:
    script = (f"{CARAVAN} alloc exec {allocs.web['ID']} /bin/sh <<'END'\n"
              "echo alloc=$NOMAD_ALLOC_ID\n"
              "echo second line\n"
              "exit 5\n"
              "END\n")
    done = subprocess.run(["bash", "-c", script], capture_output=True, env=allocs.agent.env,
                          timeout=60, check=False)
    assert done.returncode == 5, done.stderr
    assert done.stdout == f"alloc={allocs.web['ID']}\nsecond line\n".encode()


def test_stdin_off_gives_an_empty_stdin(allocs: Allocs) -> None:
    done = cli(allocs, "-i=false", allocs.web["ID"], "wc", "-c", stdin=b"ignored")
    assert (done.returncode, done.stdout.strip()) == (0, b"0")


def test_100_mib_binary_stream_round_trips(allocs: Allocs, tmp_path: Path) -> None:
    source, copy = tmp_path / "in.bin", tmp_path / "out.bin"
    with source.open("wb") as f:
        for _ in range(100):
            f.write(os.urandom(1024 * 1024))
    with source.open("rb") as stdin, copy.open("wb") as stdout:
        done = subprocess.run([CARAVAN, "alloc", "exec", allocs.web["ID"], "cat"], stdin=stdin,
                              stdout=stdout, stderr=subprocess.PIPE, env=allocs.agent.env,
                              timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert copy.stat().st_size == 100 * 1024 * 1024
    assert _sha256(copy) == _sha256(source)


def test_50_concurrent_sessions_into_one_allocation(allocs: Allocs) -> None:
    procs = [subprocess.Popen([CARAVAN, "alloc", "exec", allocs.web["ID"], "/bin/sh", "-c",
                               f"echo ready-{i}; read line; echo $line-{i}"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, env=allocs.agent.env)
             for i in range(50)]
    try:
        for i, proc in enumerate(procs):  # all 50 run at once: none can end before its line
            assert proc.stdout is not None
            assert proc.stdout.readline() == f"ready-{i}\n".encode()
        outputs = [proc.communicate(b"pong\n", timeout=120) for proc in procs]
        assert [p.returncode for p in procs] == [0] * 50
        assert [out for out, _ in outputs] == [f"pong-{i}\n".encode() for i in range(50)]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_exec_task_runs_in_the_tasks_isolation(allocs: Allocs) -> None:
    done = cli(allocs, allocs.web["ID"], "/bin/sh", "-c",
               "ps -e -o pid=,args=; echo; tr '\\0' ' ' < /proc/1/cmdline; echo; id -u; pwd; "
               "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status; grep CapEff /proc/1/status; "
               "md5sum < /proc/self/cgroup; md5sum < /proc/1/cgroup; "
               "ps -o sid= -p $$; echo $$; ls /")
    assert done.returncode == 0, done.stderr
    ps, rest = done.stdout.decode().split("\n\n", 1)
    commands = sorted(line.split(None, 1)[1] for line in ps.strip().splitlines())
    # The PID namespace holds the task (PID 1) and this session, nothing else.
    assert "sleep 3600" in commands
    assert all(c.startswith(("/bin/sh -c ps", "ps -e", "sleep 3600")) for c in commands)
    cmdline, uid, cwd, cap, nnp, task_cap, cg_self, cg_task, sid, pid, *root = \
        rest.strip().splitlines()
    assert cmdline.strip() == "sleep 3600"
    assert (uid, cwd) == ("65534", "/")
    assert cap.split()[1] == task_cap.split()[1] and nnp.split()[1] == "1"
    assert cg_self == cg_task  # the task's cgroup
    assert sid.strip() == pid  # a session of its own
    assert "secrets" in root and "home" not in root  # the task's chroot


def test_exec_session_sees_the_task_environment(allocs: Allocs) -> None:
    done = cli(allocs, allocs.web["ID"], "/bin/sh", "-c",
               "echo $NOMAD_ALLOC_ID $NOMAD_TASK_NAME $NOMAD_TASK_DIR $USER")
    assert done.stdout.decode().split() == [allocs.web["ID"], "main", "/local", "nobody"]


def test_raw_exec_runs_on_the_host_in_the_task_dir(allocs: Allocs) -> None:
    done = cli(allocs, allocs.raw["ID"], "/bin/sh", "-c",
               "pwd; echo $NOMAD_TASK_DIR; tr '\\0' ' ' < /proc/1/cmdline; echo; "
               "ps -o sid= -p $$; echo $$; tty")
    pwd, task_dir, init, sid, pid, tty = done.stdout.decode().strip().splitlines()
    alloc_dir = allocs.agent.data_dir.resolve() / "alloc" / allocs.raw["ID"]
    assert Path(pwd) == alloc_dir / "main"
    assert Path(task_dir) == alloc_dir / "main" / "local"
    host_init = Path("/proc/1/cmdline").read_bytes().replace(b"\0", b" ").decode()
    assert init.strip() == host_init.strip()  # the host's PID 1, not the task
    assert sid.strip() == pid  # a new session: not the agent's, no controlling terminal
    assert tty == "not a tty" and done.returncode == 1


def test_command_ends_when_the_client_goes_away(allocs: Allocs) -> None:
    marker = "sleep 1234.5"
    proc = subprocess.Popen([CARAVAN, "alloc", "exec", allocs.web["ID"], "/bin/sh", "-c",
                             f"echo started; {marker}"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, env=allocs.agent.env)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
        wait_until(lambda: host_processes(marker), 30, what="the exec'd command to run")
    finally:
        proc.kill()  # no chance to say goodbye: the connection just drops
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
        if proc.stdin is not None:
            proc.stdin.close()
    wait_until(lambda: not host_processes(marker), 30, what="the exec'd command to end")


def test_sigint_cancels_a_session_without_a_tty(allocs: Allocs) -> None:
    marker = "sleep 2345.5"
    proc = subprocess.Popen([CARAVAN, "alloc", "exec", allocs.web["ID"], "/bin/sh", "-c",
                             f"echo started; {marker}"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=allocs.agent.env)
    assert proc.stdout is not None and proc.stdout.readline() == b"started\n"
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr) == (1, b"failed to exec into task: context canceled\n")
    wait_until(lambda: not host_processes(marker), 30, what="the exec'd command to end")


def test_nomads_json_frames_without_the_binary_subprotocol(allocs: Allocs) -> None:
    query = urlencode({"task": "main", "tty": "false",
                       "command": json.dumps(["/bin/sh", "-c", "cat; echo e >&2; exit 7"])})
    url = allocs.agent.address.replace("http", "ws", 1) + \
        f"/v1/client/allocation/{allocs.web['ID']}/exec?{query}"
    frames: list[dict[str, Any]] = []
    with connect(url) as ws:
        assert ws.subprotocol is None
        ws.send('{"stdin":{"data":"aGkK"}}')
        ws.send("{}")
        ws.send('{"stdin":{"close":true}}')
        while not (frames and frames[-1].get("exited")):
            frames.append(json.loads(ws.recv(timeout=30)))
    assert {"stdout": {"data": "aGkK"}} in frames and {"stderr": {"data": "ZQo="}} in frames
    assert {"stdout": {"close": True}} in frames and {"stderr": {"close": True}} in frames
    assert frames[-1] == {"exited": True, "result": {"exit_code": 7}}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()

