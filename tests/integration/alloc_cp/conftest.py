"""One -dev agent with a running exec task and a running raw_exec task, both as `nobody`,
for every `alloc cp` test.

    web   exec service (runc container), user nobody, PID 1 is `sleep 3600`
    raw   raw_exec service on the host, user nobody, in its task dir
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from caravan.api import Client
from caravan.api.copy import CopyRequest, copy_session
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


def upload(agent: AgentProcess, alloc_id: str, path: str, tar: bytes,
           task: str = "main") -> tuple[int | None, bytes]:
    """A tar sent through the API (no CLI start): the copy's exit code and stderr."""
    async def session() -> tuple[int | None, bytes]:
        request = CopyRequest("upload", path)
        errors = b""
        async with copy_session(Client(address=agent.address), alloc_id, task,
                                request) as copy:
            await copy.send_stdin(tar)
            await copy.close_stdin()
            async for out in copy:
                errors += out.data
            return copy.exit_code, errors
    return asyncio.run(session())


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
