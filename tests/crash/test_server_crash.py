"""SIGKILL of the server at moments read from its own behaviour, then a restart:
every job whose registration returned 200 exists, every evaluation is processed,
no allocation is placed twice, and the SQLite file passes `PRAGMA integrity_check`.

A server-only agent is killed and restarted; a client agent keeps running beside it
(its tasks are short batch tasks, so nothing lingers). Moments: after N registrations
of a concurrent burst returned 200; right after one registration returned 200 (its
eval not yet processed); and while the plan is written (the first growth of the
SQLite WAL after the registration's own commit).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

_DONE_EVAL = ("complete", "blocked", "failed", "canceled")


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[tuple[AgentProcess, AgentProcess]]:
    server = AgentProcess(root=tmp_path, name="server", dev=False, client=False)
    client = AgentProcess(root=tmp_path, name="client", server=False,
                          servers=[server.address.removeprefix("http://")])
    try:
        server.start()
        client.start()
        yield server, client
    finally:
        client.stop()
        server.stop()


def _job(job_id: str, count: int = 1) -> dict[str, Any]:
    return raw_exec_job(job_id, args=["-c", "exit 0"], job_type="batch", count=count,
                        cpu=5, memory=10)


def _get(agent: AgentProcess, path: str) -> Any:
    reply = httpx.get(f"{agent.address}{path}", timeout=10)
    reply.raise_for_status()
    return reply.json()


def _register(agent: AgentProcess, body: dict[str, Any]) -> bool:
    """True only when the server answered 200; a refused or cut connection is False."""
    try:
        reply = httpx.put(f"{agent.address}/v1/jobs", json=body, timeout=10)
    except httpx.HTTPError:
        return False
    return reply.status_code == 200


def _db(server: AgentProcess) -> Path:
    return server.data_dir / "server" / "state.db"


def _integrity(server: AgentProcess, scratch: Path) -> None:
    """Check a copy (database + WAL, as the kill left them), so the restart still has to
    recover the original itself."""
    scratch.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal"):
        source = Path(f"{_db(server)}{suffix}")
        if source.exists():
            shutil.copyfile(source, scratch / f"state.db{suffix}")
    with sqlite3.connect(scratch / "state.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    shutil.rmtree(scratch)


def _restart(server: AgentProcess, scratch: Path) -> None:
    server.kill()
    _integrity(server, scratch)
    server.start()


def _check(server: AgentProcess, registered: dict[str, int]) -> None:
    """Every acknowledged job exists; every eval is processed; each job ran exactly its
    count of allocations, under distinct names (nothing placed twice)."""
    jobs = {j["ID"] for j in _get(server, "/v1/jobs")}
    assert set(registered) <= jobs, f"acknowledged jobs lost: {set(registered) - jobs}"
    wait_until(lambda: all(e["Status"] in _DONE_EVAL for e in _get(server, "/v1/evaluations")),
               60, what="every evaluation processed after the restart")
    counts = {job_id: _get(server, f"/v1/job/{job_id}")["TaskGroups"][0]["Count"]
              for job_id in jobs}
    for job_id, count in counts.items():
        wait_until(lambda: sum(a["ClientStatus"] == "complete" for a in
                               _get(server, f"/v1/job/{job_id}/allocations")) >= count,
                   60, what=f"job {job_id} run")
        names = [a["Name"] for a in _get(server, f"/v1/job/{job_id}/allocations")]
        assert len(names) == count == len(set(names)), f"{job_id}: {sorted(names)}"


def test_server_killed_during_a_burst_of_registrations(
        agents: tuple[AgentProcess, AgentProcess], tmp_path: Path) -> None:
    server, _ = agents
    wanted = [f"burst-{i:02d}" for i in range(30)]
    acknowledged: dict[str, int] = {}
    lock = threading.Lock()
    ten_done = threading.Event()

    def register(job_id: str) -> None:
        if _register(server, _job(job_id)):
            with lock:
                acknowledged[job_id] = 1
                if len(acknowledged) >= 10:
                    ten_done.set()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(register, job_id) for job_id in wanted]
        assert ten_done.wait(60), "ten registrations never returned 200"
        server.kill()
        for future in futures:
            future.result()
    assert len(acknowledged) < len(wanted), "the kill landed after the burst"
    _restart(server, tmp_path / "copy")
    _check(server, acknowledged)

    for job_id in wanted:
        if job_id not in acknowledged:
            assert _register(server, _job(job_id))
            acknowledged[job_id] = 1
    _check(server, acknowledged)


def test_server_killed_before_and_during_plan_apply(
        agents: tuple[AgentProcess, AgentProcess], tmp_path: Path) -> None:
    server, _ = agents
    wal = Path(f"{_db(server)}-wal")
    registered: dict[str, int] = {}
    for moment in ("registered", "plan-write"):
        job_id = f"apply-{moment}"
        assert _register(server, _job(job_id, count=10))
        registered[job_id] = 10
        if moment == "plan-write":
            # The registration's commit is done; the next writer is the plan apply.
            size = wal.stat().st_size
            wait_until(lambda: wal.stat().st_size != size, 30, interval_s=0.0005,
                       what="the plan's first bytes in the WAL")
        _restart(server, tmp_path / f"copy-{moment}")
        _check(server, registered)
