"""Shared fixtures: real agents on free ports, and guards that keep tests off real agents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import AgentProcess
from tests.etcd_server import EtcdProcess
from tests.leaks import clean_leaks


@pytest.fixture(autouse=True)
def _no_real_agent(monkeypatch: pytest.MonkeyPatch) -> None:
    """A test must never reach an agent it did not start (say, a dev agent on :4646)."""
    monkeypatch.setenv("CARAVAN_ADDR", "http://127.0.0.1:9")
    monkeypatch.delenv("NOMAD_ADDR", raising=False)
    monkeypatch.delenv("CARAVAN_TOKEN", raising=False)
    monkeypatch.delenv("NOMAD_TOKEN", raising=False)


@pytest.fixture(scope="module")
def dev_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """One -dev agent (server + client, raw_exec enabled) shared by a test module."""
    agent = AgentProcess(root=tmp_path_factory.mktemp("dev"), name="dev")
    try:
        agent.start()
        yield agent
    finally:
        agent.stop()


@pytest.fixture
def agent_root(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture(scope="session", autouse=True)
def _no_leaks(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the session, nothing a test started may still run or stay mounted."""
    yield
    leaked = clean_leaks(tmp_path_factory.getbasetemp())
    if leaked:
        pytest.fail("tests left these behind (now cleaned up):\n  " + "\n  ".join(leaked))


@pytest.fixture(scope="module")
def etcd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EtcdProcess]:
    """A real single-member etcd on free 127.0.0.1 ports, shared by a test module."""
    server = EtcdProcess(root=tmp_path_factory.mktemp("etcd"))
    try:
        server.start()
        yield server
    finally:
        server.stop()
