"""A read-only view of the state for the scheduler (implements `SchedulerState`).

Built by `StateStore.snapshot()` from shallow copies, so the store may keep
committing while a scheduler reads the snapshot in another thread.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from caravan.server.state.txn import job_key
from caravan.structs import Allocation, Deployment, Job, Node
from caravan.structs.operator import SchedulerConfiguration


@dataclass
class StateSnapshot:
    index: int
    nodes_by_id: dict[str, Node]
    jobs_by_key: dict[str, Job]
    allocs_of_job: dict[str, list[Allocation]]
    allocs_of_node: dict[str, list[Allocation]]
    deployments: dict[tuple[str, str], Deployment]
    config: SchedulerConfiguration

    def __init__(self, *, index: int, nodes: dict[str, Node], jobs: dict[str, Job],
                 allocs_by_job: dict[str, list[Allocation]],
                 allocs_by_node: dict[str, list[Allocation]],
                 deployments: dict[tuple[str, str], Deployment] | None = None,
                 scheduler_config: SchedulerConfiguration | None = None) -> None:
        self.index = index
        self.nodes_by_id = nodes
        self.jobs_by_key = jobs
        self.allocs_of_job = allocs_by_job
        self.allocs_of_node = allocs_by_node
        self.deployments = deployments or {}
        self.config = scheduler_config or SchedulerConfiguration()

    def nodes(self) -> Iterable[Node]:
        return self.nodes_by_id.values()

    def node(self, node_id: str) -> Node | None:
        return self.nodes_by_id.get(node_id)

    def job(self, namespace: str, job_id: str) -> Job | None:
        return self.jobs_by_key.get(job_key(namespace, job_id))

    def allocs_by_job(self, namespace: str, job_id: str) -> list[Allocation]:
        return list(self.allocs_of_job.get(job_key(namespace, job_id), ()))

    def allocs_by_node(self, node_id: str) -> list[Allocation]:
        return list(self.allocs_of_node.get(node_id, ()))

    def latest_deployment(self, namespace: str, job_id: str) -> Deployment | None:
        return self.deployments.get((namespace, job_id))

    def scheduler_config(self) -> SchedulerConfiguration:
        return self.config
