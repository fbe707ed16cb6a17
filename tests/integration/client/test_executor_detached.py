"""An executor whose launcher starts the task detached (the exec driver's `runc run
--detach`): the executor, as child subreaper, adopts and reaps the task and the task's
orphans, keeps its stdio, and reports a failed launcher as the task's own exit. Plain
shell launchers stand in for runc: `setsid <task> & echo $! > task.pid`."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import pytest

from caravan.client.drivers.executor.launcher import ExecutorSpec
from caravan.client.drivers.executor.task import ExecutorTask
from tests.integration.client.conftest import Harness, run, wait_for

pytestmark = pytest.mark.integration


def _spec(harness: Harness, launcher: str) -> ExecutorSpec:
    return ExecutorSpec(argv=["/bin/sh", "-c", launcher], env={"PATH": "/usr/bin:/bin"},
                        stdout_path=str(harness.log_dir / "t.stdout"),
                        stderr_path=str(harness.log_dir / "t.stderr"),
                        pid_file="task.pid")


async def _launch(harness: Harness, launcher: str) -> ExecutorTask:
    return await ExecutorTask.launch(sys.executable, "alloc-1/t", "t",
                                     harness.root / "executor" / "t", _spec(harness, launcher))


def _parent(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _children(pid: int) -> list[tuple[int, str]]:
    """(PID, state) of every process whose parent is `pid`."""
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            fields = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append((int(name), fields[0]))
    return found


def test_the_executor_adopts_the_detached_task_and_no_launcher_stays(harness: Harness) -> None:
    async def scenario() -> None:
        task = await _launch(harness, "setsid sh -c 'echo out; echo err >&2; sleep 0.5; exit 5'"
                                      " & echo $! > task.pid")
        state = task.state
        # The launcher is gone; the task is the executor's own child now.
        assert _parent(state.task_pid) == state.executor_pid
        assert [pid for pid, _ in _children(state.executor_pid)] == [state.task_pid]
        result = await task.wait()
        assert (result.exit_code, result.signal) == (5, 0)

    run(scenario())
    assert harness.log("t") == b"out\n"
    assert harness.log("t", "stderr") == b"err\n"


def test_a_signalled_detached_task_reports_its_signal(harness: Harness) -> None:
    async def scenario() -> None:
        task = await _launch(harness, "setsid sleep 60 & echo $! > task.pid")
        await task.signal(signal.SIGTERM)
        result = await task.wait()
        assert (result.exit_code, result.signal) == (128 + signal.SIGTERM, signal.SIGTERM)

    run(scenario())


def test_orphans_of_the_task_are_reaped_not_left_as_zombies(harness: Harness) -> None:
    async def scenario() -> None:
        # The subshell exits at once: its `sleep 0.3` is orphaned to the executor, and
        # `orphaned` (in the executor's dir, the launcher's cwd) says it has happened.
        task = await _launch(harness, "setsid sh -c '(sleep 0.3 &); touch orphaned; "
                                      "exec sleep 60' & echo $! > task.pid")
        executor = task.state.executor_pid
        wait_for(lambda: (task.state_dir / "orphaned").exists(), what="the orphan")
        wait_for(lambda: _children(executor) == [(task.state.task_pid, "S")], 15,
                 what="the orphan to end and be reaped, leaving no zombie")
        await task.stop(0, signal.SIGKILL)

    run(scenario())


def test_a_failed_launcher_is_the_task_exiting_with_its_code(harness: Harness) -> None:
    async def scenario() -> None:
        task = await _launch(harness, "echo 'cannot start container' >&2; exit 3")
        result = await task.wait()
        assert (result.exit_code, result.signal) == (3, 0)

    run(scenario())
    assert harness.log("t", "stderr") == b"cannot start container\n"


def test_an_exec_session_command_is_started_detached_and_reaped_by_the_executor(
        harness: Harness) -> None:
    """`runc exec --detach` as the exec driver runs it: the agent passes its stdio fds,
    no launcher stays, the executor reports the command's exit."""
    pid_file = harness.root / "session.pid"
    # `setsid -f`: a background job of sh would get /dev/null as its stdin.
    launcher = (f"setsid -f sh -c 'echo $$ > {pid_file}.new; mv {pid_file}.new {pid_file}; "
                f"echo ready; read x; echo got-$x; exit 4'; "
                f"while [ ! -s {pid_file} ]; do sleep 0.01; done")
    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()

    async def scenario() -> None:
        task = await _launch(harness, "setsid sleep 60 & echo $! > task.pid")
        try:
            command = await task.exec_detached(["/bin/sh", "-c", launcher],
                                               {"PATH": "/usr/bin:/bin"}, pid_file,
                                               (stdin_r, stdout_w, stdout_w))
            for fd in (stdin_r, stdout_w):
                os.close(fd)  # the command has them now
            with os.fdopen(stdout_r, "rb") as reader:
                assert reader.readline() == b"ready\n"
                assert _parent(int(pid_file.read_text())) == task.state.executor_pid
                os.write(stdin_w, b"x\n")
                assert reader.readline() == b"got-x\n"
                assert await command.wait() == 4 and command.returncode == 4
                assert reader.read() == b""  # every copy of the write end is gone
        finally:
            os.close(stdin_w)
            await task.stop(0, signal.SIGKILL)

    run(scenario())


def test_a_failed_exec_launcher_is_reported_without_a_command(harness: Harness) -> None:
    pid_file = harness.root / "session.pid"
    fds = os.pipe()

    async def scenario() -> None:
        task = await _launch(harness, "setsid sleep 60 & echo $! > task.pid")
        try:
            command = await task.exec_detached(["/bin/sh", "-c", "exit 9"], {}, pid_file,
                                               (fds[0], fds[1], fds[1]))
            assert await command.wait() == 9
            assert not pid_file.exists()
        finally:
            await task.stop(0, signal.SIGKILL)

    try:
        run(scenario())
    finally:
        for fd in fds:
            os.close(fd)
