"""The one subprocess helper against real processes: deadlines, terminate -> kill, reaping."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import pytest

from caravan import process
from caravan.errors import ProcessFailed

pytestmark = pytest.mark.integration

# Ignores SIGTERM, says so, then sleeps: only SIGKILL ends it.
STUBBORN = [sys.executable, "-c",
            "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN);"
            " print('ready', flush=True); time.sleep(60)"]


def _gone(pid: int) -> bool:
    """Reaped: not even a zombie is left under this PID (a zombie still answers kill 0)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_run_collects_output_and_exit_code() -> None:
    done = asyncio.run(process.run([sys.executable, "-c",
                                    "import sys; print('out'); sys.exit(3)"], timeout_s=30))
    assert (done.returncode, done.text()[0]) == (3, "out\n")


def test_a_missing_program_is_a_process_failure() -> None:
    with pytest.raises(ProcessFailed, match="cannot start /nonexistent/prog"):
        asyncio.run(process.run(["/nonexistent/prog"], timeout_s=5))
    with pytest.raises(ProcessFailed, match="cannot start /nonexistent/prog"):
        process.run_sync(["/nonexistent/prog"], timeout_s=5)


def test_past_the_deadline_a_stubborn_process_is_killed_and_reaped() -> None:
    async def main() -> int:
        proc = await process.start(STUBBORN, stdout=asyncio.subprocess.PIPE)
        assert proc.stdout is not None
        assert await proc.stdout.readline() == b"ready\n"
        code = await process.stop(proc, grace_s=0.2)
        assert _gone(proc.pid)
        return code

    assert asyncio.run(main()) == -9


def test_run_times_out_and_reaps() -> None:
    with pytest.raises(ProcessFailed, match="did not finish within 0.5s"):
        asyncio.run(process.run(STUBBORN, timeout_s=0.5, grace_s=0.2))
    with pytest.raises(ProcessFailed, match="did not finish within 0.5s"):
        process.run_sync(STUBBORN, timeout_s=0.5, grace_s=0.2)


def test_a_cancelled_run_still_reaps_its_process(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid()));"
              " time.sleep(60)")

    async def main() -> int:
        task = asyncio.create_task(process.run([sys.executable, "-c", script], timeout_s=60))
        async with asyncio.timeout(10):
            while not (pid_file.exists() and pid_file.read_text()):
                await asyncio.sleep(0.05)
        pid = int(pid_file.read_text())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return pid

    assert _gone(asyncio.run(main()))
