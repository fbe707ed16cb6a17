"""Jobs and waits shared by the deployment tests."""

from __future__ import annotations

from typing import Any

import httpx

from tests.agents import wait_until
from tests.integration.jobs import raw_exec_job

S = 1_000_000_000


def rolling_job(job_id: str, *, count: int = 4, version: str = "v1", script: str = "",
                **update: Any) -> dict[str, Any]:
    """A raw_exec service job whose task prints `version`; `update` fields in Nomad's JSON."""
    body = script or f"echo {version}; sleep 300"
    document = raw_exec_job(job_id, count=count, args=["-c", body], restart_attempts=0)
    group = document["Job"]["TaskGroups"][0]
    group["Update"] = {"MaxParallel": 1, "MinHealthyTime": 0, "HealthyDeadline": 60 * S,
                       "ProgressDeadline": 120 * S, "HealthCheck": "task_states", **update}
    group["Meta"] = {"version": version}
    return document


def latest_deployment(http: httpx.Client, job_id: str) -> dict[str, Any] | None:
    reply = http.get(f"/v1/job/{job_id}/deployment")
    reply.raise_for_status()
    found: dict[str, Any] | None = reply.json()
    return found


def wait_deployment(http: httpx.Client, job_id: str, status: str, *, version: int,
                    timeout_s: float = 90.0) -> dict[str, Any]:
    def settled() -> dict[str, Any] | None:
        for d in http.get(f"/v1/job/{job_id}/deployments").json():
            if d["JobVersion"] == version and d["Status"] == status:
                return d  # type: ignore[no-any-return]
        return None

    found: dict[str, Any] = wait_until(settled, timeout_s=timeout_s,
                                       what=f"deployment of {job_id} v{version} {status}")
    return found


def running_versions(http: httpx.Client, job_id: str) -> list[int]:
    allocs = http.get(f"/v1/job/{job_id}/allocations").json()
    return sorted(a["JobVersion"] for a in allocs
                  if a["ClientStatus"] == "running" and a["DesiredStatus"] == "run")
