"""One -dev agent running the allocations the alloc fs tests read.

    web  exec task as nobody     raw  raw_exec task
Each task writes `local/hello.txt`, a secret in `secrets/token`, appends `tick-N` lines
to `alloc/ticks.<task>`, and plants links: `local/shadow` -> /etc/shadow, `local/up` ->
`../../../../../../../../etc/shadow`, `local/root` -> / and `local/inner` ->
`hello.txt` (a link that stays inside the alloc dir).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from tests.agents import AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, run
from tests.integration.jobs import raw_exec_job

SCRIPT = (
    'cd "$NOMAD_TASK_DIR" && printf "hello from %s\\n" "$NOMAD_TASK_NAME" > hello.txt && '
    'ln -s /etc/shadow shadow && ln -s ../../../../../../../../etc/shadow up && '
    'ln -s / root && ln -s hello.txt inner && mkdir -p sub/deep && echo x > sub/deep/f && '
    '(printf "s3cret" > "$NOMAD_SECRETS_DIR/token" || true) && touch ready && '
    'i=0; while :; do echo "tick-$i" >> "$NOMAD_ALLOC_DIR/ticks.$NOMAD_TASK_NAME"; '
    'i=$((i+1)); sleep 0.3; done'
)


@dataclass
class FsAllocs:
    agent: AgentProcess
    web: str  # alloc IDs
    raw: str

    def url(self, route: str, alloc_id: str) -> str:
        return f"{self.agent.address}/v1/client/fs/{route}/{alloc_id}"

    def get(self, route: str, alloc_id: str, **params: Any) -> httpx.Response:
        return httpx.get(self.url(route, alloc_id), params=params, timeout=10)


def start(root: Path, **agent_options: Any) -> Iterator[FsAllocs]:
    agent = AgentProcess(root=root, name="fs", **agent_options)
    try:
        agent.start()
        web = run(agent, exec_job("web", SCRIPT, job_type="service", user="nobody"),
                  until="running")
        raw_job = raw_exec_job("raw", args=["-c", SCRIPT])
        raw = run(agent, raw_job, until="running")
        allocs = FsAllocs(agent, web["ID"], raw["ID"])
        for alloc_id in (allocs.web, allocs.raw):
            wait_until(lambda a=alloc_id: allocs.get("stat", a, path="main/local/ready")
                       .status_code == 200, 60, what="task files written")
        yield allocs
    finally:
        agent.stop()
