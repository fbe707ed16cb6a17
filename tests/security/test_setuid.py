"""Class 2 of issue 9: a setuid file a task makes is inert outside its container.

An exec task running as `nobody` holds CAP_CHOWN and CAP_FOWNER by default, so it can
make a setuid-root copy of any binary in `local/` or the shared `alloc/data`. Whoever
runs that copy on the host as `nobody` (a sibling raw_exec task, or anyone who can
reach the alloc dir) must not become root: the alloc dir is mounted nosuid,nodev.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.security.conftest import group_job, task

pytestmark = pytest.mark.integration

NOBODY = 65534

MAKER = """
for where in /local /alloc/data; do
  cp /usr/bin/id "$where/id" && chown 0:0 "$where/id" && chmod 4755 "$where/id"
done
ls -ln /local/id /alloc/data/id
touch /alloc/data/made
sleep 300
"""

# raw_exec as nobody: its cwd is its own task dir, so the maker's files are `../...`.
RUNNER = """
while [ ! -e ../alloc/data/made ]; do sleep 0.1; done
echo "alloc-data-euid=$(../alloc/data/id -u)"
echo "local-euid=$(../maker/local/id -u)"
sleep 300
"""


@pytest.fixture
def alloc(dev_agent: AgentProcess) -> Iterator[dict[str, Any]]:
    job = group_job("setuid", [task("maker", "exec", MAKER),
                               task("runner", "raw_exec", RUNNER, user="nobody")])
    httpx.post(f"{dev_agent.address}/v1/jobs", json=job, timeout=10).raise_for_status()
    try:
        yield wait_until(lambda: _with_output(dev_agent), 60, what="runner output")
    finally:
        httpx.delete(f"{dev_agent.address}/v1/job/setuid", params={"purge": "true"},
                     timeout=10)
        wait_until(lambda: all(
            a["ClientStatus"] in ("complete", "failed")
            for a in httpx.get(f"{dev_agent.address}/v1/allocations", timeout=10).json()
            if a["JobID"] == "setuid"), 30, what="setuid job stopped")


def _with_output(agent: AgentProcess) -> dict[str, Any] | None:
    for stub in httpx.get(f"{agent.address}/v1/job/setuid/allocations", timeout=10).json():
        if "local-euid=" in _stdout(agent, stub["ID"], "runner"):
            return stub  # type: ignore[no-any-return]
    return None


def _stdout(agent: AgentProcess, alloc_id: str, task_name: str) -> str:
    r = httpx.get(f"{agent.address}/v1/client/fs/logs/{alloc_id}",
                  params={"task": task_name, "type": "stdout", "plain": "true"}, timeout=10)
    return r.text if r.status_code == 200 else ""


def test_cve_2019_14803_setuid_copy_is_inert_for_a_sibling_raw_exec_task(
        dev_agent: AgentProcess, alloc: dict[str, Any]) -> None:
    made = _stdout(dev_agent, alloc["ID"], "maker")
    assert made.count("-rwsr-xr-x") == 2, made  # the task really made setuid-root copies
    out = _stdout(dev_agent, alloc["ID"], "runner")
    assert f"alloc-data-euid={NOBODY}" in out and f"local-euid={NOBODY}" in out, out


@pytest.mark.parametrize("where", ["alloc/data", "maker/local"])
def test_cve_2019_14803_setuid_copy_is_inert_when_run_from_the_host(
        dev_agent: AgentProcess, alloc: dict[str, Any], where: str) -> None:
    directory = dev_agent.data_dir / "alloc" / alloc["ID"] / where
    assert (directory / "id").stat().st_mode & 0o4000
    # chdir as root, then drop to nobody: the data dir's parents need not be open to it.
    done = subprocess.run(["./id", "-u"], cwd=directory, user=NOBODY, group=NOBODY,
                          extra_groups=[], capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == str(NOBODY), done.stdout + done.stderr


def test_alloc_dir_is_mounted_nosuid_nodev(dev_agent: AgentProcess,
                                           alloc: dict[str, Any]) -> None:
    path = str(dev_agent.data_dir / "alloc" / alloc["ID"])
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        options = [line.split()[5] for line in info if line.split()[4] == path]
    assert options, f"{path} is not a mount point"
    assert {"nosuid", "nodev"} <= set(options[-1].split(","))
    assert Path(path).is_dir()
