"""An allocation's client status from its task states (Nomad's getClientStatus)."""

from __future__ import annotations

import pytest

from caravan.client.allocrunner.status import client_status
from caravan.structs import TaskState

PENDING, RUNNING = TaskState(state="pending"), TaskState(state="running")
DONE, FAILED = TaskState(state="dead"), TaskState(state="dead", failed=True)


@pytest.mark.parametrize(("states", "expected"), [
    ([PENDING], ("pending", "No tasks have started")),
    ([PENDING, RUNNING], ("running", "Tasks are running")),
    ([RUNNING, DONE], ("running", "Tasks are running")),
    ([DONE, PENDING], ("pending", "No tasks have started")),
    ([DONE, DONE], ("complete", "All tasks have completed")),
    ([RUNNING, FAILED], ("failed", "Failed tasks")),
    ([FAILED, DONE], ("failed", "Failed tasks")),
])
def test_client_status(states: list[TaskState], expected: tuple[str, str]) -> None:
    assert client_status({f"t{i}": s for i, s in enumerate(states)}) == expected
