"""exec tasks over their life: outliving the agent, stop/signal/restart, cleanup, health."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from caravan.client.drivers.exec.runc import container_id
from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.exec_driver.helpers import events, exec_job, logs, run

pytestmark = pytest.mark.integration

# Prints a counter every 0.2 s; exits 7 once /local/stop exists; reports USR1 and TERM.
LOOP = ("trap 'echo got-usr1' USR1; trap 'echo got-term; exit 0' TERM; i=0; "
        "while [ ! -e /local/stop ]; do i=$((i+1)); echo tick $i; sleep 0.2; done; exit 7")


def _runc_root(agent: AgentProcess) -> Path:
    return agent.data_dir / "client" / "drivers" / "exec" / "runc"


def _runc_state(agent: AgentProcess, cid: str) -> dict[str, Any] | None:
    done = subprocess.run(["runc", "--root", str(_runc_root(agent)), "state", cid],
                          capture_output=True, text=True)
    return json.loads(done.stdout) if done.returncode == 0 else None


def _leftovers(agent: AgentProcess, cid: str) -> list[str]:
    found = []
    if _runc_state(agent, cid) is not None:
        found.append(f"runc container {cid}")
    # The client's alloc root is a nosuid,nodev mount of its own for as long as it runs.
    alloc_root = str(agent.data_dir / "alloc")
    with open("/proc/self/mountinfo") as info:
        found += [point for line in info if str(agent.data_dir) in line
                  if (point := line.split()[4]) != alloc_root]
    found += [str(p) for p in Path("/sys/fs/cgroup").glob(f"*/caravan/{cid}")]
    return found


def _alloc(agent: AgentProcess, alloc_id: str) -> dict[str, Any]:
    return httpx.get(f"{agent.address}/v1/allocation/{alloc_id}", timeout=10).json()  # type: ignore[no-any-return]


def _cli(agent: AgentProcess, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, *args], env=agent.env, capture_output=True, text=True,
                          timeout=60)


def test_task_outlives_a_sigkilled_agent(tmp_path: Path) -> None:
    agent = AgentProcess(root=tmp_path, name="survivor", dev=False)
    try:
        agent.start()
        alloc = run(agent, exec_job("loop", LOOP, job_type="service"), until="running")
        cid = container_id(alloc["ID"], "main")
        state = _runc_state(agent, cid)
        assert state is not None and state["status"] == "running"
        pid = state["pid"]
        agent.kill()
        os.kill(pid, 0)  # still alive without its agent
        agent.start()
        again = wait_until(lambda: (s := _runc_state(agent, cid)) and s, 10, what="state")
        assert again["pid"] == pid
        before = logs(agent, alloc)
        wait_until(lambda: len(logs(agent, alloc)) > len(before), 10, what="logs continue")
        started = [e for e in events(_alloc(agent, alloc["ID"])) if e["Type"] == "Started"]
        assert len(started) == 1  # re-attached, not restarted
        # The task ends while no agent runs: its exit code is still collected.
        agent.kill()
        (agent.data_dir / "alloc" / alloc["ID"] / "main" / "local" / "stop").touch()
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, what="task exit")
        agent.start()
        final = wait_until(lambda: (a := _alloc(agent, alloc["ID"]))["ClientStatus"] == "failed"
                           and a, 20, what="exit collected")
        term = [e for e in events(final) if e["Type"] == "Terminated"]
        assert term and term[-1]["ExitCode"] == 7
        wait_until(lambda: not _leftovers(agent, cid), 10, what="cleanup after exit")
    finally:
        try:
            _stop_job_and_wait(agent, "loop")
        finally:
            agent.stop()


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Any:
    a = AgentProcess(root=tmp_path_factory.mktemp("life"), name="life")
    try:
        yield a.start()
    finally:
        a.stop()


def test_stop_sends_kill_signal_then_sigkill_and_leaves_nothing(agent: AgentProcess) -> None:
    job = exec_job("graceful", LOOP, job_type="service")
    job["Job"]["TaskGroups"][0]["Tasks"][0]["KillSignal"] = "SIGTERM"
    alloc = run(agent, job, until="running")
    cid = container_id(alloc["ID"], "main")
    assert _cli(agent, "job", "stop", "graceful").returncode == 0
    done = wait_until(lambda: (a := _alloc(agent, alloc["ID"]))["ClientStatus"] == "complete"
                      and a, 20, what="stopped")
    assert "got-term" in logs(agent, done)
    kinds = [e["Type"] for e in events(done)]
    assert "Killing" in kinds and "Killed" in kinds
    wait_until(lambda: not _leftovers(agent, cid), 10, what="no container, mount or cgroup")

    stubborn = exec_job("stubborn", "trap '' INT TERM; while true; do sleep 0.2; done",
                        job_type="service")
    alloc = run(agent, stubborn, until="running")
    assert _cli(agent, "job", "stop", "stubborn").returncode == 0
    done = wait_until(lambda: (a := _alloc(agent, alloc["ID"]))["ClientStatus"] == "complete"
                      and a, 20, what="force killed")
    term = [e for e in events(done) if e["Type"] == "Terminated"]
    assert term and term[-1]["Signal"] == 9


def test_alloc_signal_and_restart(agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("sig", LOOP, job_type="service"), until="running")
    short = alloc["ID"][:8]
    signalled = _cli(agent, "alloc", "signal", "-s", "SIGUSR1", short)
    assert signalled.returncode == 0, signalled.stderr
    wait_until(lambda: "got-usr1" in logs(agent, alloc), 10, what="USR1 delivered")
    restarted = _cli(agent, "alloc", "restart", short)
    assert restarted.returncode == 0, restarted.stderr
    state = wait_until(lambda: (s := _alloc(agent, alloc["ID"])["TaskStates"]["main"])
                       ["Restarts"] == 1 and s["State"] == "running" and s, 20, what="restart")
    assert [e["Type"] for e in state["Events"]].count("Started") == 2

    def memory() -> dict[str, Any]:
        stats = httpx.get(f"{agent.address}/v1/client/allocation/{alloc['ID']}/stats").json()
        found: dict[str, Any] = stats["Tasks"]["main"]["ResourceUsage"]["MemoryStats"]
        return found

    # The kernel folds a cgroup's per-CPU memory counters into memory.stat in batches
    # (at the latest every 2 s): a task just restarted may read 0 for a moment.
    wait_until(lambda: memory()["RSS"] > 0, 15, what="the restarted task's RSS")
    assert "Cache" in memory()["Measured"]
    shown = _cli(agent, "alloc", "status", "-stats", short)
    assert "Memory Stats" in shown.stdout and "Throttled Periods" in shown.stdout
    _cli(agent, "job", "stop", "-purge", "sig")


def test_orphaned_containers_are_removed_at_start(tmp_path: Path) -> None:
    server = AgentProcess(root=tmp_path, name="server", dev=False, client=False)
    client = AgentProcess(root=tmp_path, name="client", dev=False, server=False)
    try:
        server.start()
        client.servers = [server.address.removeprefix("http://")]
        client.start()
        alloc = run(server, exec_job("orphan", LOOP, job_type="service"), until="running")
        cid = container_id(alloc["ID"], "main")
        pid = _runc_state(client, cid)["pid"]  # type: ignore[index]
        client.kill()
        # While the client is down its allocation goes away for good, and the client's own
        # record of it is lost: the container it leaves behind belongs to nothing.
        httpx.delete(f"{server.address}/v1/job/orphan", params={"purge": "true"})
        for saved in (client.data_dir / "client" / "allocs").glob("*.json"):
            saved.unlink()
        client.start()
        wait_until(lambda: _runc_state(client, cid) is None, 15, what="orphan removed")
        wait_until(lambda: not Path(f"/proc/{pid}").exists(), 10, what="orphan process gone")
        # Logged once the cleanup (cgroup, in a worker thread) is over, after runc forgot it.
        wait_until(lambda: f"removed container {cid}" in client.logs(), 10,
                   what="orphan removal logged")
        wait_until(lambda: not _leftovers(client, cid), 10, what="no mount or cgroup left")
    finally:
        try:
            client.stop()
        finally:
            server.stop()


def _stop_job_and_wait(agent: AgentProcess, job_id: str) -> None:
    """A non-dev agent leaves tasks running when it stops: end them first."""
    httpx.delete(f"{agent.address}/v1/job/{job_id}", timeout=10)
    wait_until(lambda: all(a["ClientStatus"] in ("complete", "failed", "lost")
                           for a in httpx.get(f"{agent.address}/v1/job/{job_id}/allocations",
                                              timeout=10).json()), 30, what=f"{job_id} ended")


def test_unhealthy_exec_driver_filters_jobs(tmp_path: Path) -> None:
    agent = AgentProcess(root=tmp_path, name="noruntime",
                         config='plugin "exec" {\n  config { runc_path = "/nonexistent/runc" }\n}')
    try:
        agent.start()
        verbose = _cli(agent, "node", "status", "-self", "-verbose")
        assert "runc is not runnable" in verbose.stdout
        jobfile = tmp_path / "sleep.nomad.hcl"
        jobfile.write_text(Path("examples/sleep.nomad.hcl").read_text())
        placed = _cli(agent, "job", "run", str(jobfile))
        assert placed.returncode == 2
        assert 'Constraint "missing drivers": 1 nodes excluded by filter' in placed.stdout
    finally:
        agent.stop()


def test_seed_example_runs_isolated(agent: AgentProcess) -> None:
    example = Path(__file__).resolve().parents[3] / "examples" / "sleep.nomad.hcl"
    ran = _cli(agent, "job", "run", str(example))
    assert ran.returncode == 0, ran.stdout + ran.stderr
    alloc_id = ran.stdout.split('Allocation "')[1][:8]
    alloc = wait_until(lambda: next((a for a in httpx.get(
        f"{agent.address}/v1/job/sleep/allocations").json() if a["ClientStatus"] == "running"),
        None), 20, what="sleep running")
    assert alloc["ID"].startswith(alloc_id)
    state = _runc_state(agent, container_id(alloc["ID"], "sleep"))
    assert state is not None
    status = Path(f"/proc/{state['pid']}/status").read_text()
    cmdline = Path(f"/proc/{state['pid']}/cmdline").read_bytes().split(b"\0")
    assert cmdline[:2] == [b"/bin/sleep", b"3600"]
    assert "\nUid:\t65534\t" in status  # nobody
    assert _cli(agent, "job", "stop", "-purge", "sleep").returncode == 0
