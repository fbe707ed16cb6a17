"""One -dev agent running the port-forward jobs: `raw` (raw_exec) and `iso` (exec)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.agents import AgentProcess
from tests.integration.port_forward.servers import forward_job, run_served


@dataclass
class Served:
    agent: AgentProcess
    raw: dict[str, Any]
    iso: dict[str, Any]


@pytest.fixture(scope="package")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("portfwd"), name="portfwd")
    try:
        agent.start()
        raw = run_served(agent, forward_job("raw", "raw_exec"))
        iso = run_served(agent, forward_job("iso", "exec"))
        yield Served(agent, raw, iso)
    finally:
        agent.stop()
