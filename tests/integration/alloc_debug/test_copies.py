"""`alloc debug` copies of failed tasks: what the crashed task left, seen as it saw it."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.agents import CARAVAN
from tests.integration.alloc_debug.conftest import Allocs, crashed_job, debug, wait_failed
from tests.integration.exec_driver.helpers import run

pytestmark = pytest.mark.integration


def cli(allocs: Allocs, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([CARAVAN, "alloc", "debug", *args], capture_output=True,
                          stdin=subprocess.DEVNULL, env=allocs.agent.env, timeout=120,
                          check=False)


def test_a_copy_of_a_failed_exec_task_reads_what_it_left_as_its_user(allocs: Allocs) -> None:
    script = ("cat /local/crash.txt; id -u; echo $DEBUG_MARK; "
              "head -c 1 /etc/shadow | wc -c; ls -A /secrets | wc -l; stat -c %a:%u /secrets; "
              "grep -c debug- /proc/self/cgroup; exit 9")
    done = cli(allocs, "-t=false", allocs.crashed["ID"][:8], "/bin/sh", "-c", script)
    assert done.returncode == 9, done.stderr
    assert done.stdout.decode().split() == [
        f"left-by-{allocs.crashed['ID']}", "65534", "mark-1",
        "0",          # /etc/shadow is masked, as in the task (the host's is not empty)
        "0", "700:65534",   # its own private secrets tmpfs, empty: the task's went with it
        # Every line names the copy's own cgroup (cgroups v1: one line per controller).
        done.stdout.decode().split()[-1]]
    assert int(done.stdout.decode().split()[-1]) >= 1
    with open("/etc/shadow", "rb") as shadow:
        assert shadow.read(1)


def test_a_raw_exec_copy_is_a_host_process_in_the_task_dir_as_the_task_user(
        allocs: Allocs) -> None:
    state, code, out = debug(allocs.agent, allocs.raw["ID"], [
        "/bin/sh", "-c", "cat local/crash.txt; id -u; echo $DEBUG_MARK; pwd"])
    assert (state, code) == ("ok", 0), out
    lines = out.split()
    assert lines[:3] == ["raw-left", "65534", "mark-raw"]
    assert lines[3].endswith(f"/alloc/{allocs.raw['ID']}/main")


def test_a_running_task_is_pointed_to_alloc_exec(allocs: Allocs) -> None:
    done = cli(allocs, "-t=false", allocs.web["ID"], "/bin/true")
    assert done.returncode != 0
    assert b"is running: use `alloc exec`" in done.stderr


def test_exec_still_refuses_the_failed_allocation(allocs: Allocs) -> None:
    done = subprocess.run([CARAVAN, "alloc", "exec", "-t=false", allocs.crashed["ID"], "true"],
                          capture_output=True, stdin=subprocess.DEVNULL, env=allocs.agent.env,
                          timeout=60, check=False)
    assert done.returncode != 0
    assert b"client status of allocation" in done.stderr and b"failed" in done.stderr


def test_an_unknown_task_and_a_missing_alloc_say_so(allocs: Allocs) -> None:
    assert debug(allocs.agent, allocs.crashed["ID"], ["true"], task="nope") == (
        "denied", None, 'unknown task name "nope"')
    state, _, reason = debug(allocs.agent, "0" * 8 + allocs.crashed["ID"][8:], ["true"])
    assert state == "denied" and "Unknown allocation" in reason


def test_a_collected_task_dir_says_so(allocs: Allocs) -> None:
    alloc = run(allocs.agent, crashed_job("collected"))
    wait_failed(allocs.agent, alloc)
    # What a client-side collection leaves: the allocation known, its task dir gone.
    shutil.rmtree(allocs.agent.data_dir / "alloc" / alloc["ID"] / "main")
    state, _, reason = debug(allocs.agent, alloc["ID"], ["true"])
    assert state == "denied"
    assert f"the alloc dir of allocation {alloc['ID']} has been garbage collected" in reason
