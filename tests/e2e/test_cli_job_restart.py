"""`caravan job restart` against a real agent: batches, in-place restarts, -reschedule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.e2e.cli import caravan, job_file

pytestmark = pytest.mark.integration


def _allocs(agent: AgentProcess, job_id: str) -> list[dict[str, Any]]:
    stubs: list[dict[str, Any]] = httpx.get(f"{agent.address}/v1/job/{job_id}/allocations",
                                            timeout=10).json()
    return stubs


def _restarts(agent: AgentProcess, alloc_id: str) -> int:
    alloc = httpx.get(f"{agent.address}/v1/allocation/{alloc_id}", timeout=10).json()
    return sum(e["Type"] == "Restart Signaled" for e in alloc["TaskStates"]["main"]["Events"])


def test_restart_in_batches_and_reschedule(dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = job_file(tmp_path, "rolling", script="sleep 300")
    path.write_text(path.read_text().replace('group "rolling-group" {',
                                             'group "rolling-group" {\n    count = 3'))
    assert caravan(dev_agent, "job", "run", str(path)).returncode == 0
    try:
        def three_running() -> list[str] | None:
            ids = [a["ID"] for a in _allocs(dev_agent, "rolling") if a["ClientStatus"] == "running"]
            return ids if len(ids) == 3 else None
        running = wait_until(three_running, 60, what="three allocs running")
        refused = caravan(dev_agent, "job", "restart", "rolling")  # stdin is not a terminal
        assert refused.returncode == 1 and '"ask" cannot be used when terminal' in \
            refused.stderr
        done = caravan(dev_agent, "job", "restart", "-yes", "-batch-size", "2", "rolling")
        assert done.returncode == 0, done.stdout + done.stderr
        assert "Restarting 3 allocations" in done.stdout
        assert "Restarting 1st batch of 2 allocations" in done.stdout
        assert "Restarting 2nd batch of 1 allocations" in done.stdout
        assert done.stdout.rstrip().endswith("Job restarted successfully!")
        assert all(_restarts(dev_agent, a) == 1 for a in running)

        moved = caravan(dev_agent, "job", "restart", "-yes", "-reschedule", "-batch-size",
                        "100%", "rolling")
        assert moved.returncode == 0, moved.stdout + moved.stderr
        assert moved.stdout.count("Rescheduling allocation") == 3
        live = [a["ID"] for a in _allocs(dev_agent, "rolling")
                if a["DesiredStatus"] == "run" and a["ClientStatus"] == "running"]
        assert len(live) == 3 and not set(live) & set(running)
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "rolling")


def test_bad_flags(dev_agent: AgentProcess) -> None:
    bad = caravan(dev_agent, "job", "restart", "-yes", "-batch-size", "0", "x")
    assert bad.returncode == 1 and "number value must be greater than zero" in bad.stderr
    both = caravan(dev_agent, "job", "restart", "-yes", "-all-tasks", "-task", "t", "x")
    assert both.returncode == 1 and "cannot be used with -task" in both.stderr
