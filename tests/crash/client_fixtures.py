"""Fixtures for the client crash tests: an agent that is always stopped and whose tasks,
executors, containers, cgroups and mounts are always removed, whatever the test did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.crash import client_host as host
from tests.crash.client_agent import TASK_COMMAND, CrashAgent


def alloc_ids(agent: CrashAgent) -> set[str]:
    root = agent.data_dir / "alloc"
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


@pytest.fixture
def crash_agent(tmp_path: Path) -> Iterator[CrashAgent]:
    agent = CrashAgent(root=tmp_path, name="client")
    try:
        yield agent
    finally:
        ids = alloc_ids(agent)
        agent.kill()  # a non-dev agent would leave its tasks running anyway
        host.clean_up(agent.data_dir, ids, TASK_COMMAND)
