"""Client garbage collection against a real agent: `gc_max_allocs` removes the oldest
terminal alloc dir, `/v1/client/allocation/<id>/gc` one, `/v1/client/gc` all of them;
running allocations and the server's records are never touched."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import nomad
import pytest

from tests.agents import AgentProcess, wait_until
from tests.integration.jobs import raw_exec_job

pytestmark = pytest.mark.integration

CONFIG = '''client {
  gc_max_allocs = 3
  gc_interval   = "1s"
}
'''


@pytest.fixture
def agent(tmp_path: Path) -> Iterator[AgentProcess]:
    agent = AgentProcess(root=tmp_path, name="client-gc", config=CONFIG)
    try:
        yield agent.start()
    finally:
        agent.stop()


def _run(http: httpx.Client, job_id: str, *, batch: bool) -> str:
    body = raw_exec_job(job_id, job_type="batch" if batch else "service",
                        args=["-c", "exit 0" if batch else "sleep 300"])
    http.post("/v1/jobs", json=body).raise_for_status()
    wanted = "complete" if batch else "running"

    def alloc() -> Any:
        allocs = http.get(f"/v1/job/{job_id}/allocations").json()
        return allocs and allocs[0]["ClientStatus"] == wanted and allocs[0]["ID"]
    return str(wait_until(alloc, 30, what=f"{job_id} {wanted}"))


def test_client_collects_terminal_alloc_dirs_only(agent: AgentProcess) -> None:
    alloc_root = agent.data_dir / "alloc"
    with httpx.Client(base_url=agent.address, timeout=10) as http:
        svc = _run(http, "svc", batch=False)
        b1 = _run(http, "b1", batch=True)
        assert (alloc_root / svc).is_dir() and (alloc_root / b1).is_dir()

        running = http.put(f"/v1/client/allocation/{svc}/gc")
        assert running.status_code == 400 and "still running" in running.text
        assert http.put(f"/v1/client/allocation/{b1}/gc").status_code == 200
        assert not (alloc_root / b1).exists()
        again = http.put(f"/v1/client/allocation/{b1}/gc")
        assert again.status_code == 404 and "Unknown allocation" in again.text
        # the server keeps its record until its own GC
        assert http.get(f"/v1/allocation/{b1}").json()["ClientStatus"] == "complete"

        b2 = _run(http, "b2", batch=True)
        b3 = _run(http, "b3", batch=True)
        assert (alloc_root / b2).is_dir() and (alloc_root / b3).is_dir()   # 3 held: at limit
        b4 = _run(http, "b4", batch=True)
        # a fourth alloc: the oldest terminal one goes
        wait_until(lambda: not (alloc_root / b2).exists(), 30, what="b2 collected")
        assert all((alloc_root / a).is_dir() for a in (svc, b3, b4))

        # python-nomad's calls (GET, as it sends them)
        url = urlparse(agent.address)
        api = nomad.Nomad(host=url.hostname, port=url.port, timeout=10)
        api.client.gc_allocation.garbage_collect(b3)
        assert not (alloc_root / b3).exists()
        api.client.gc_all_allocations.garbage_collect()
        assert not (alloc_root / b4).exists()
        assert http.put("/v1/client/gc").status_code == 200
        assert api.system.initiate_garbage_collection() is True
        assert (alloc_root / svc).is_dir()
        assert [a["ClientStatus"] for a in http.get("/v1/job/svc/allocations").json()] == [
            "running"]
        http.delete("/v1/job/svc").raise_for_status()
