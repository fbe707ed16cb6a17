"""A server whose data dir fills up: writes answer 507 naming the cause, reads keep
working, the scheduler worker and the heartbeat loop survive failed writes and catch up,
and everything works again once space is freed — without a restart.

Real agents: a server-only agent whose data dir is a small tmpfs this test mounts,
and a client agent on an ordinary dir.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.crash.server_disk import fill, small_tmpfs
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

_NS = 1_000_000_000


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[tuple[AgentProcess, AgentProcess]]:
    server = AgentProcess(root=tmp_path, name="server", dev=False, client=False)
    client = AgentProcess(root=tmp_path, name="client", server=False,
                          servers=[server.address.removeprefix("http://")])
    with small_tmpfs(server.data_dir, size_mb=16):
        try:
            server.start()
            client.start()
            yield server, client
        finally:
            client.stop()
            server.stop()


def _get(agent: AgentProcess, path: str) -> Any:
    reply = httpx.get(f"{agent.address}{path}", timeout=10)
    reply.raise_for_status()
    return reply.json()


def _put_job(agent: AgentProcess, body: dict[str, Any]) -> httpx.Response:
    return httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10)


def _flaky_job() -> dict[str, Any]:
    """Fails at once and is rescheduled once, 8 s later, by a delayed follow-up eval."""
    body = raw_exec_job("flaky", args=["-c", "exit 1"], restart_attempts=0)
    body["Job"]["TaskGroups"][0]["ReschedulePolicy"] = {
        "Attempts": 1, "Interval": 3600 * _NS, "Delay": 8 * _NS,
        "DelayFunction": "constant", "MaxDelay": 8 * _NS, "Unlimited": False}
    return body


def _batch_job(job_id: str) -> dict[str, Any]:
    return raw_exec_job(job_id, args=["-c", "exit 0"], job_type="batch")


def _followup(server: AgentProcess) -> dict[str, Any] | None:
    for ev in _get(server, "/v1/job/flaky/evaluations"):
        if ev["Status"] == "pending" and not ev["WaitUntil"].startswith("0001-"):
            return ev  # type: ignore[no-any-return]
    return None


def _complete(server: AgentProcess, job_id: str) -> bool:
    allocs = _get(server, f"/v1/job/{job_id}/allocations")
    return bool(allocs) and all(a["ClientStatus"] == "complete" for a in allocs)


def _state(server: AgentProcess) -> dict[str, Any]:
    """What the server answers for every job, eval and alloc (to compare across a restart)."""
    return {
        "jobs": sorted((j["ID"], j["ModifyIndex"], j["Status"])
                       for j in _get(server, "/v1/jobs")),
        "evals": sorted((e["ID"], e["Status"], e["ModifyIndex"])
                        for e in _get(server, "/v1/evaluations")),
        "allocs": sorted((a["ID"], a["ClientStatus"], a["DesiredStatus"], a["ModifyIndex"])
                         for a in _get(server, "/v1/allocations")),
    }


def test_full_data_dir_fails_writes_clearly_and_recovers_without_restart(
        agents: tuple[AgentProcess, AgentProcess]) -> None:
    server, client = agents
    assert _put_job(server, _batch_job("before")).status_code == 200
    wait_until(lambda: _complete(server, "before"), 30, what="job before complete")
    assert _put_job(server, _flaky_job()).status_code == 200
    followup = wait_until(lambda: _followup(server), 30, what="flaky's delayed follow-up eval")

    filler = fill(server.data_dir / "filler")
    refused = _put_job(server, _batch_job("during"))
    assert refused.status_code == 507, refused.text
    assert "database or disk is full" in refused.text
    assert "free space" in refused.text
    assert refused.headers.get("Retry-After"), "a refused write says when to try again"
    # Reads keep working and show exactly what was stored before.
    assert sorted(j["ID"] for j in _get(server, "/v1/jobs")) == ["before", "flaky"]
    assert httpx.get(f"{server.address}/v1/job/during", timeout=10).status_code == 404

    # While the disk is full: the client dies (its node must be marked down by the
    # heartbeat loop) and flaky's follow-up comes due (the worker must place it).
    client.kill()
    wait_until(lambda: re.search(f"evaluation {followup['ID']}", server.logs()), 30,
               what="the worker trying the follow-up eval on the full disk")
    wait_until(lambda: "missed its heartbeat" in server.logs(), 30,
               what="the heartbeat loop trying to mark the node down")

    filler.unlink()
    wait_until(lambda: all(n["Status"] == "down" for n in _get(server, "/v1/nodes")), 20,
               what="the node marked down once space is back")
    wait_until(lambda: _get(server, f"/v1/evaluation/{followup['ID']}")["Status"] == "complete",
               20, what="the follow-up eval processed once space is back")
    assert _put_job(server, _batch_job("after")).status_code == 200
    client.start()
    wait_until(lambda: _complete(server, "after"), 30, what="a new job placed and run")
    wait_until(lambda: all(e["Status"] in ("complete", "failed", "canceled")
                           for e in _get(server, "/v1/evaluations")), 30,
               what="every evaluation processed")
    wait_until(lambda: all(a["ClientStatus"] in ("complete", "failed", "lost")
                           for a in _get(server, "/v1/allocations")), 30,
               what="every allocation finished")

    # What the server answered from memory is what its database holds.
    client.stop()
    before_restart = _state(server)
    server.stop()
    with sqlite3.connect(server.data_dir / "server" / "state.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    server.start()
    assert _state(server) == before_restart
