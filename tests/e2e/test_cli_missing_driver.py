"""A job whose driver the only node does not offer: the CLI explains, exits 2."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import AgentProcess
from tests.e2e.cli import caravan, job_file

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def no_exec_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """A -dev agent whose client refuses the exec driver (Nomad's driver.denylist)."""
    agent = AgentProcess(root=tmp_path_factory.mktemp("noexec"), name="noexec",
                         config='client { options = { "driver.denylist" = "exec" } }\n')
    try:
        agent.start()
        yield agent
    finally:
        agent.stop()


def test_missing_driver_is_explained(no_exec_agent: AgentProcess, tmp_path: Path) -> None:
    path = job_file(tmp_path, "needs-exec", driver="exec")
    result = caravan(no_exec_agent, "job", "run", str(path))
    try:
        assert result.returncode == 2, result.stdout + result.stderr
        assert '      * Constraint "missing drivers": 1 nodes excluded by filter' in \
            result.stdout.splitlines()
        status = caravan(no_exec_agent, "job", "status", "needs-exec").stdout
        assert '  * Constraint "missing drivers": 1 nodes excluded by filter' in \
            status.splitlines()
        node = caravan(no_exec_agent, "node", "status", "-self")
        assert "exec" not in node.stdout.split("Driver Status   = ")[1].splitlines()[0] \
            .split(",")
    finally:
        caravan(no_exec_agent, "job", "stop", "-purge", "-detach", "needs-exec")
