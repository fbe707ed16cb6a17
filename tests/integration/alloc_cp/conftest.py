"""One -dev agent with a running exec task and a running raw_exec task, both as `nobody`,
for every `alloc cp` test.

    web   exec service (runc container), user nobody, PID 1 is `sleep 3600`
    raw   raw_exec service on the host, user nobody, in its task dir
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.agents import CARAVAN, AgentProcess
from tests.integration.exec_driver.helpers import exec_job, run
from tests.integration.jobs import raw_exec_job


@dataclass
class Allocs:
    agent: AgentProcess
    web: dict[str, Any]
    raw: dict[str, Any]

    def task_dir(self, alloc: dict[str, Any]) -> Path:
        """The task dir on the host (what `/` is inside an exec task)."""
        return self.agent.data_dir / "alloc" / alloc["ID"] / "main"


@pytest.fixture(scope="package")
def allocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Allocs]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("cp"), name="cp")
    try:
        agent.start()
        web = run(agent, exec_job("web", "exec sleep 3600", job_type="service", user="nobody",
                                  memory=256), until="running")
        job = raw_exec_job("raw", args=["-c", "exec sleep 3600"])
        job["Job"]["TaskGroups"][0]["Tasks"][0]["User"] = "nobody"
        raw = run(agent, job, until="running")
        yield Allocs(agent, web, raw)
    finally:
        agent.stop()


def cli(agent: AgentProcess, *args: str, stdin: bytes | None = None,
        token: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """`caravan alloc cp ...` against `agent`, as a user runs it."""
    env = {**os.environ, "CARAVAN_ADDR": agent.address}
    env.pop("CARAVAN_TOKEN", None)
    env.pop("NOMAD_TOKEN", None)
    if token:
        env["CARAVAN_TOKEN"] = token
    return subprocess.run([CARAVAN, "alloc", "cp", *args], input=stdin, capture_output=True,
                          env=env, timeout=300, check=False)
