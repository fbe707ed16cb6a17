"""What exec persists per task, beyond the executor's identity: the container and its cgroup."""

from __future__ import annotations

from caravan.client.drivers.executor.handle import ExecutorHandleState


class ExecHandleState(ExecutorHandleState):
    container_id: str
    cgroup_name: str
    cgroup_version: int
    secrets_dir: str
