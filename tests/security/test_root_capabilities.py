"""Class 6 of issue 9: a root task's capabilities stay within what the agent holds.

For `user = "root"` Nomad asks for its fixed legacy set (CVE-2019-12618 fixed the
non-root half). On a host whose bounding set lacks some of them (a hardened systemd
unit, a container), runc cannot grant them and the task failed with "operation not
permitted". caravan intersects every task's set with the agent's own bounding set and
names what it dropped in a `Driver` task event.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

import pytest

from caravan.client.drivers.exec.capabilities import ROOT_LEGACY, agent_bounding, bitmask
from tests.agents import CARAVAN, AgentProcess
from tests.integration.exec_driver.helpers import events, exec_job, logs, run

pytestmark = [pytest.mark.integration,
              pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs util-linux setpriv")]

DROPPED = ("sys_module", "sys_time", "wake_alarm")
# The host may already lack some (this test's own bounding set is the agent's, minus DROPPED).
HELD = ROOT_LEGACY & agent_bounding() - frozenset(DROPPED)


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    bounding = ",".join(f"-{cap}" for cap in DROPPED)
    a = AgentProcess(root=tmp_path_factory.mktemp("caps"), name="caps",
                     launcher=["setpriv", f"--bounding-set={bounding}", "--"],
                     config='client { options = { "user.denylist" = "Administrator" } }')
    try:
        yield a.start()
    finally:
        a.stop()


def _cap_bnd(text: str) -> int:
    line = next(li for li in text.splitlines() if li.startswith("CapBnd:"))
    return int(line.split()[1], 16)


def test_cve_2019_12618_root_task_runs_within_the_agents_bounding_set(
        agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("root-caps", "grep ^Cap /proc/self/status", user="root"))
    assert alloc["ClientStatus"] == "complete", events(alloc)
    out = logs(agent, alloc)
    assert _cap_bnd(out) == bitmask(HELD)
    driver = [e for e in events(alloc) if e["Type"] == "Driver"]
    assert len(driver) == 1
    message = driver[0]["DisplayMessage"]
    assert message == driver[0]["DriverMessage"]
    assert message.endswith(": " + ", ".join(sorted(ROOT_LEGACY - HELD))), message
    assert set(DROPPED) <= set(message.split(": ")[1].split(", "))


def test_cve_2019_12618_exec_session_into_root_task_has_the_same_set(
        agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("root-caps-svc", "exec sleep 3600", user="root",
                                job_type="service"), until="running")
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", alloc["ID"], "grep", "^Cap",
                           "/proc/self/status"], capture_output=True, env=agent.env,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert _cap_bnd(done.stdout.decode()) == bitmask(HELD)
