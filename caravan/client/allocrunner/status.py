"""An allocation's client status, derived from its tasks' states as Nomad's client does."""

from __future__ import annotations

from collections.abc import Mapping

from caravan.structs import TaskState


def client_status(task_states: Mapping[str, TaskState]) -> tuple[str, str]:
    """(ClientStatus, ClientDescription): failed beats running beats pending beats complete."""
    states = task_states.values()
    if any(s.state == "dead" and s.failed for s in states):
        return "failed", "Failed tasks"
    if any(s.state == "running" for s in states):
        return "running", "Tasks are running"
    if any(s.state == "pending" for s in states):
        return "pending", "No tasks have started"
    if any(s.state == "dead" for s in states):
        return "complete", "All tasks have completed"
    return "", ""
