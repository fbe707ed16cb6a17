"""What the python-nomad table runs against: one ACL-enabled agent, a management token,
and the jobs, allocations and deployments the calls need, made once and on demand."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import nomad
import requests

from tests.agents import wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent
from tests.integration.deployments.helpers import rolling_job
from tests.integration.jobs import raw_exec_job

S = 1_000_000_000
NO_ID = "00000000-0000-0000-0000-000000000000"


def small_job(job_id: str, **kw: Any) -> dict[str, Any]:
    """A raw_exec service that prints `started` and sleeps, small enough to run many."""
    return raw_exec_job(job_id, cpu=20, memory=16, **kw)


@dataclass
class World:
    agent: AclAgent
    session: requests.Session
    made: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def api(self) -> nomad.Nomad:
        url = urlparse(self.agent.address)
        return nomad.Nomad(host=url.hostname, port=url.port, timeout=15,
                           token=self.agent.root_secret, session=self.session)

    def api_as(self, token: str | None) -> nomad.Nomad:
        """python-nomad with another token (None: anonymous)."""
        url = urlparse(self.agent.address)
        return nomad.Nomad(host=url.hostname, port=url.port, timeout=15, token=token,
                           session=self.session)

    def once(self, key: str, make: Callable[[], Any]) -> Any:
        """`make()` the first time `key` is asked for; the same answer afterwards."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    @property
    def node_id(self) -> str:
        return self.once("node", lambda: self.api.nodes.get_nodes()[0]["ID"])  # type: ignore[no-any-return]

    def running_alloc(self, job_id: str) -> dict[str, Any]:
        """A running allocation of `job_id` (registered here first if it is new)."""
        def make() -> dict[str, Any]:
            self.api.jobs.register_job(small_job(job_id))
            return self.wait_running(job_id)
        return self.once(f"alloc:{job_id}", make)  # type: ignore[no-any-return]

    def wait_running(self, job_id: str) -> dict[str, Any]:
        def running() -> dict[str, Any] | None:
            return next((a for a in self.api.job.get_allocations(job_id)
                         if a["ClientStatus"] == "running"), None)
        return wait_until(running, 60, what=f"a running alloc of {job_id}")  # type: ignore[no-any-return]

    def wait_log(self, alloc_id: str) -> None:
        """Until the task has written its first line (so file calls have content)."""
        wait_until(lambda: self.api.client.cat.read_file(
            alloc_id, "alloc/logs/main.stdout.0").startswith("started"), 30, what="stdout")

    def live_deployment(self, job_id: str, **update: Any) -> dict[str, Any]:
        """The running deployment of a new job whose health is set by hand."""
        self.api.jobs.register_job(rolling_job(job_id, count=1, HealthCheck="manual", **update))
        return wait_until(lambda: self.api.job.get_deployment(job_id), 30,  # type: ignore[no-any-return]
                          what=f"a deployment of {job_id}")

    def deployment_alloc(self, deployment_id: str) -> dict[str, Any]:
        return wait_until(lambda: next(iter(  # type: ignore[no-any-return]
            self.api.deployment.get_deployment_allocations(deployment_id)), None),
            30, what="an allocation of the deployment")

    def canary_deployment(self, job_id: str) -> dict[str, Any]:
        """A deployment of version 1 whose one canary is healthy and waits for promotion."""
        self.api.jobs.register_job(rolling_job(job_id, count=1, Canary=1))
        wait_until(lambda: (self.api.job.get_deployment(job_id) or {}).get("Status")
                   == "successful", 60, what=f"{job_id} v0 deployed")
        self.api.jobs.register_job(rolling_job(job_id, count=1, version="v2", Canary=1))

        def canary_healthy() -> dict[str, Any] | None:
            d = self.api.job.get_deployment(job_id)
            state = d["TaskGroups"]["main"] if d and d["JobVersion"] == 1 else {}
            return d if state.get("HealthyAllocs") == 1 else None
        return wait_until(canary_healthy, 60, what=f"{job_id} canary healthy")  # type: ignore[no-any-return]

    def purge(self, job_id: str) -> None:
        self.api.job.deregister_job(job_id, purge=True)




def start_world(root: Path) -> Iterator[World]:
    """An ACL-enabled dev agent with a bootstrap token, stopped when the caller is done."""
    agent = AclAgent(root=root, name="pn", config=ACL_ON)
    try:
        agent.start()
        with requests.Session() as session:
            session.hooks["response"].append(cut_followed_stream)
            yield World(agent=agent, session=session)
    finally:
        agent.stop()


def wait_stream_event(events: Any, topic: str, deadline_s: float = 30.0) -> dict[str, Any]:
    """The first event-stream batch holding an event of `topic` (python-nomad's queue)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        batch = events.get(timeout=max(0.1, end - time.monotonic()))
        if any(e.get("Topic") == topic for e in batch.get("Events", [])):
            return batch  # type: ignore[no-any-return]
    raise AssertionError(f"no {topic} event within {deadline_s}s")


def cut_followed_stream(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    """Nomad's `/v1/client/fs/stream` follows the file until the client hangs up, so
    python-nomad's `stream_file` (which reads the whole body) would never return. For that
    route only, keep the body read so far once a frame with data is complete, and hang up."""
    if "/v1/client/fs/stream/" not in response.url or not response.ok:
        return
    body = b""
    for chunk in response.raw.stream(256, decode_content=True):
        body += chunk
        if _has_data_frame(body.decode(errors="replace")):
            break
    response._content = body  # noqa: SLF001 - what `.text` returns afterwards
    response._content_consumed = True  # noqa: SLF001
    response.close()


def _has_data_frame(text: str) -> bool:
    decoder, at = json.JSONDecoder(), 0
    while at < len(text):
        try:
            frame, at = decoder.raw_decode(text, at)
        except ValueError:
            return False
        if isinstance(frame, dict) and frame.get("Data"):
            return True
        while at < len(text) and text[at].isspace():
            at += 1
    return False
