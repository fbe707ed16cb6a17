"""raw_exec through the executor with real short processes: exits, logs, stop, recovery."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from caravan.client.drivers.base import ExitResult, TaskHandle
from caravan.client.drivers.executor import proc
from caravan.client.drivers.executor.launcher import read_exit
from caravan.client.drivers.executor.handle import ExecutorHandleState
from caravan.errors import DriverError
from tests.integration.client.conftest import Harness, run, wait_for

pytestmark = pytest.mark.integration


@pytest.mark.parametrize(("script", "expected"), [
    ("exit 0", ExitResult(exit_code=0)),
    ("exit 1", ExitResult(exit_code=1)),
    ("kill -9 $$", ExitResult(exit_code=137, signal=9)),
])
def test_exit_codes(harness: Harness, script: str, expected: ExitResult) -> None:
    driver = harness.driver()

    async def scenario() -> ExitResult:
        await driver.start(harness.config("t", script))
        result = await driver.wait("alloc-1/t")
        assert driver.inspect("alloc-1/t").state == "exited"
        await driver.destroy("alloc-1/t", force=False)
        return result

    assert run(scenario()) == expected


def test_env_cwd_and_denied_envvars(harness: Harness) -> None:
    driver = harness.driver(denied_envvars=["SECRET_*"])
    config = harness.config("t", 'echo "$GREETING $SECRET_KEY $(pwd)"',
                            env={"PATH": "/usr/bin:/bin", "GREETING": "hello",
                                 "SECRET_KEY": "xyz"})

    async def scenario() -> ExitResult:
        await driver.start(config)
        return await driver.wait("alloc-1/t")

    assert run(scenario()).exit_code == 0
    assert harness.log("t") == f"hello  {config.task_dir}\n".encode()


def test_stdout_and_stderr_rotate_and_keep_max_files(harness: Harness) -> None:
    driver = harness.driver()
    # 40 lines of 10 bytes on stdout, one line on stderr; files of 50 bytes, keep 3.
    script = 'i=10; while [ $i -lt 50 ]; do echo "line-00$i"; i=$((i+1)); done; echo oops >&2'
    config = harness.config("t", script, log_max_files=3, log_max_file_size=50)

    async def scenario() -> ExitResult:
        await driver.start(config)
        return await driver.wait("alloc-1/t")

    assert run(scenario()).exit_code == 0
    names = sorted(p.name for p in harness.log_dir.iterdir())
    assert names == ["t.stderr.0", "t.stdout.5", "t.stdout.6", "t.stdout.7"]
    kept = b"".join(f"line-00{i}\n".encode() for i in range(35, 50))
    assert harness.log("t") == kept
    assert all(p.stat().st_size <= 50 for p in harness.log_dir.iterdir())
    assert harness.log("t", "stderr") == b"oops\n"


def test_logs_disabled_writes_no_files(harness: Harness) -> None:
    driver = harness.driver()

    async def scenario() -> ExitResult:
        await driver.start(harness.config("t", "echo hi", logs_disabled=True))
        return await driver.wait("alloc-1/t")

    assert run(scenario()).exit_code == 0
    assert list(harness.log_dir.iterdir()) == []


def test_stop_sends_kill_signal_first(harness: Harness) -> None:
    driver = harness.driver()
    script = "trap 'echo got INT; exit 3' INT; echo ready; while :; do sleep 0.05; done"

    async def scenario() -> ExitResult:
        await driver.start(harness.config("t", script))
        await _wait_log(harness, b"ready")
        await driver.stop("alloc-1/t", 5.0, "SIGINT")
        return await driver.wait("alloc-1/t")

    assert run(scenario()) == ExitResult(exit_code=3)
    assert harness.log("t") == b"ready\ngot INT\n"


def test_stop_escalates_to_sigkill_after_the_timeout(harness: Harness) -> None:
    driver = harness.driver()
    script = "trap 'echo ignoring INT' INT; echo ready; while :; do sleep 0.05; done"

    async def scenario() -> ExitResult:
        await driver.start(harness.config("t", script))
        await _wait_log(harness, b"ready")
        await driver.stop("alloc-1/t", 0.5, "SIGINT")
        return await driver.wait("alloc-1/t")

    assert run(scenario()) == ExitResult(exit_code=137, signal=9)
    assert b"ignoring INT" in harness.log("t")


def test_signal_reaches_the_task(harness: Harness) -> None:
    driver = harness.driver()
    script = "trap 'echo got HUP' HUP; echo ready; while :; do sleep 0.05; done"

    async def scenario() -> None:
        await driver.start(harness.config("t", script))
        await _wait_log(harness, b"ready")
        await driver.signal("alloc-1/t", "SIGHUP")
        await _wait_log(harness, b"got HUP")
        await driver.stop("alloc-1/t", 0, "SIGKILL")

    run(scenario())


def test_recover_after_the_driver_is_dropped(harness: Harness) -> None:
    """An agent restart: a new driver instance re-attaches and still gets the exit code."""
    config = harness.config("t", "echo ready; while [ ! -f go ]; do sleep 0.05; done; exit 4")
    handle = run(harness.driver().start(config))
    wait_for(lambda: b"ready" in harness.log("t"), what="task output")

    async def after_restart() -> ExitResult:
        driver = harness.driver()
        await driver.recover(handle)
        assert driver.inspect("alloc-1/t").state == "running"
        (config.task_dir / "go").touch()
        return await driver.wait("alloc-1/t")

    assert run(after_restart()) == ExitResult(exit_code=4)


def test_exit_while_no_agent_runs_is_not_lost(harness: Harness) -> None:
    config = harness.config("t", "while [ ! -f go ]; do sleep 0.05; done; exit 5")
    handle = run(harness.driver().start(config))
    (config.task_dir / "go").touch()
    wait_for(lambda: read_exit(config.state_dir), what="exit.json")

    async def after_restart() -> ExitResult:
        driver = harness.driver()
        await driver.recover(handle)
        return await driver.wait("alloc-1/t")

    assert run(after_restart()) == ExitResult(exit_code=5)


def test_recover_refuses_a_reused_pid(harness: Harness) -> None:
    config = harness.config("t", "while :; do sleep 0.05; done")
    handle = run(harness.driver().start(config))
    real = ExecutorHandleState.from_handle(handle)
    # Same PIDs, other start times: what a handle looks like once its PIDs were reused.
    fake = real.model_copy(update={"executor_start_time": real.executor_start_time + 1,
                                   "task_start_time": real.task_start_time + 1,
                                   "state_dir": str(harness.root / "elsewhere")})
    forged = TaskHandle(driver="raw_exec", config=config, driver_state=fake.model_dump())
    with pytest.raises(DriverError, match="failed to reattach to executor"):
        run(harness.driver().recover(forged))
    task = proc.ProcIdentity(pid=real.task_pid, start_time=real.task_start_time)
    executor = proc.ProcIdentity(pid=real.executor_pid, start_time=real.executor_start_time)
    assert proc.is_running(task) and proc.is_running(executor)


def test_disabled_driver(harness: Harness) -> None:
    driver = harness.driver(enabled=False)
    fingerprint = driver.fingerprint()
    assert (fingerprint.health, fingerprint.health_description) == ("undetected", "disabled")
    with pytest.raises(DriverError, match="^raw_exec is disabled$"):
        run(driver.start(harness.config("t", "exit 0")))


def test_missing_binary(harness: Harness) -> None:
    config = harness.config("t", "", driver_config={"command": "no-such-binary"})
    with pytest.raises(DriverError, match='binary "no-such-binary" could not be found'):
        run(harness.driver().start(config))


def test_stats_of_a_running_task(harness: Harness) -> None:
    driver = harness.driver()

    async def scenario() -> None:
        handle = await driver.start(harness.config("t", "while :; do sleep 0.05; done"))
        usage = await driver.stats("alloc-1/t")
        assert handle.driver_state["task_pid"] in usage.pids
        assert usage.rss_bytes > 0
        await driver.stop("alloc-1/t", 0, "SIGKILL")

    run(scenario())


def test_executor_stays_small(harness: Harness) -> None:
    handle = run(harness.driver().start(harness.config("t", "while :; do sleep 0.05; done")))
    pid = str(handle.driver_state["executor_pid"])
    rss_kib = int(subprocess.run(["ps", "-o", "rss=", "-p", pid], capture_output=True,
                                 text=True, check=True).stdout)
    assert rss_kib < 15 * 1024


def test_the_task_outlives_a_killed_executor_parent(harness: Harness, tmp_path: Path) -> None:
    """The executor runs in its own session: it and its task survive their starter."""
    handle = run(harness.driver().start(harness.config("t", "while :; do sleep 0.05; done")))
    state = ExecutorHandleState.from_handle(handle)
    assert os.getsid(state.executor_pid) == state.executor_pid
    assert os.getpgid(state.task_pid) == state.task_pid


async def _wait_log(harness: Harness, text: bytes, timeout_s: float = 10.0) -> None:
    import asyncio

    async with asyncio.timeout(timeout_s):
        while text not in harness.log("t"):
            await asyncio.sleep(0.02)


def test_launch_failure_is_reported(harness: Harness) -> None:
    script = harness.alloc_dir / "not-executable.sh"
    script.write_text("#!/bin/sh\nexit 0\n")
    config = harness.config("t", "", driver_config={"command": str(script)})
    with pytest.raises(DriverError) as err:
        run(harness.driver().start(config))
    assert str(err.value) == (
        f"failed to launch command with executor: fork/exec {script}: permission denied")
