"""Allocation, its task states and events, and the placement metrics the scheduler records."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from caravan.structs.base import Struct
from caravan.structs.deployment import AllocDeploymentStatus
from caravan.structs.job import Job, NetworkResource, TaskLifecycleConfig
from caravan.structs.lifecycle_resources import combined
from caravan.structs.service import ServiceRegistration

ZERO_TIME = "0001-01-01T00:00:00Z"
TERMINAL_CLIENT_STATUSES = ("complete", "failed", "lost")


class AllocMetric(Struct):
    nodes_evaluated: int = 0
    nodes_filtered: int = 0
    nodes_in_pool: int = 0
    node_pool: str = "default"
    nodes_available: dict[str, int] = Field(default_factory=dict)
    class_filtered: dict[str, int] | None = None
    constraint_filtered: dict[str, int] | None = None
    nodes_exhausted: int = 0
    class_exhausted: dict[str, int] | None = None
    dimension_exhausted: dict[str, int] | None = None
    quota_exhausted: list[str] | None = None
    resources_exhausted: dict[str, Any] | None = None
    score_meta_data: list[dict[str, Any]] | None = None
    allocation_time: int = 0
    coalesced_failures: int = 0


class TaskEvent(Struct):
    type: str = ""
    time: int = 0
    message: str = ""
    display_message: str = ""
    details: dict[str, str] = Field(default_factory=dict)
    fails_task: bool = False
    exit_code: int = 0
    signal: int = 0
    driver_error: str = ""
    driver_message: str = ""
    download_error: str = ""
    kill_timeout: int = 0
    validation_error: str = ""
    setup_error: str = ""
    restart_reason: str = ""
    start_delay: int = 0
    kill_reason: str = ""


class TaskState(Struct):
    state: str = "pending"
    failed: bool = False
    restarts: int = 0
    last_restart: str = ZERO_TIME
    started_at: str = ZERO_TIME
    finished_at: str = ZERO_TIME
    events: list[TaskEvent] = Field(default_factory=list)
    paused: str = ""


class AllocatedCpu(Struct):
    cpu_shares: int = Field(0, alias="CpuShares")
    reserved_cores: list[int] | None = None


class AllocatedMemory(Struct):
    memory_mb: int = 0
    memory_max_mb: int = 0


class AllocatedTaskResources(Struct):
    cpu: AllocatedCpu = Field(default_factory=AllocatedCpu, alias="Cpu")
    memory: AllocatedMemory = Field(default_factory=AllocatedMemory)
    networks: list[NetworkResource] | None = None  # a task's legacy network, ports filled in


class AllocatedPortMapping(Struct):
    """A group port as placed: `value` on the node's `host_ip`, mapped `to` in the task."""

    label: str = ""
    value: int = 0
    to: int = 0
    host_ip: str = Field("", alias="HostIP")


class AllocatedSharedResources(Struct):
    disk_mb: int = 0
    networks: list[NetworkResource] | None = None
    ports: list[AllocatedPortMapping] | None = None


class AllocatedResources(Struct):
    tasks: dict[str, AllocatedTaskResources] = Field(default_factory=dict)
    # The lifecycle of each task that has one: what runs at the same time (Nomad's field).
    task_lifecycles: dict[str, TaskLifecycleConfig | None] | None = None
    shared: AllocatedSharedResources = Field(default_factory=AllocatedSharedResources)

    def host_ports(self) -> list[tuple[str, int]]:
        """(host IP, port) of every port this allocation holds on its node."""
        held = [(p.host_ip, p.value) for p in self.shared.ports or []]
        for task in self.tasks.values():
            held += [(n.ip, p.value) for n in task.networks or [] for p in n.ports()]
        return held

    def totals(self) -> tuple[int, int]:
        """(cpu MHz, memory MB) this allocation reserves on its node: tasks that never
        run at the same time do not add up (`lifecycle_resources`)."""
        lifecycles = self.task_lifecycles or {}
        return combined((lifecycles.get(name), t.cpu.cpu_shares, t.memory.memory_mb)
                        for name, t in self.tasks.items())


class RescheduleEvent(Struct):
    reschedule_time: int = 0
    prev_alloc_id: str = ""
    prev_node_id: str = ""
    delay: int = 0


class RescheduleTracker(Struct):
    events: list[RescheduleEvent] = Field(default_factory=list)


class DesiredTransition(Struct):
    migrate: bool | None = None
    reschedule: bool | None = None
    force_reschedule: bool | None = None


class Allocation(Struct):
    id: str = ""
    namespace: str = "default"
    eval_id: str = ""
    name: str = ""
    node_id: str = ""
    node_name: str = ""
    job_id: str = ""
    job: Job | None = None
    task_group: str = ""
    allocated_resources: AllocatedResources = Field(default_factory=AllocatedResources)
    metrics: AllocMetric | None = None
    desired_status: str = "run"
    desired_description: str = ""
    desired_transition: DesiredTransition = Field(default_factory=DesiredTransition)
    client_status: str = "pending"
    client_description: str = ""
    task_states: dict[str, TaskState] | None = None
    deployment_id: str = ""
    deployment_status: AllocDeploymentStatus | None = None
    followup_eval_id: str = ""
    previous_allocation: str = ""
    next_allocation: str = ""
    reschedule_tracker: RescheduleTracker | None = None
    create_index: int = 0
    modify_index: int = 0
    alloc_modify_index: int = 0
    create_time: int = 0
    modify_time: int = 0

    def terminal(self) -> bool:
        """Terminal on either side: told to stop, or finished on the client."""
        return self.desired_status in ("stop", "evict") or self.client_terminal()

    def client_terminal(self) -> bool:
        return self.client_status in TERMINAL_CLIENT_STATUSES

    def index(self) -> int:
        """The number in `<job>.<group>[<n>]`."""
        start = self.name.rfind("[")
        return int(self.name[start + 1 : -1]) if start >= 0 and self.name.endswith("]") else 0

    def job_version(self) -> int:
        return self.job.version if self.job is not None else 0


class AllocListStub(Struct):
    id: str
    eval_id: str
    name: str
    namespace: str
    node_id: str
    node_name: str
    job_id: str
    job_type: str
    job_version: int
    task_group: str
    allocated_resources: AllocatedResources | None = None
    desired_status: str
    desired_description: str
    client_status: str
    client_description: str
    task_states: dict[str, TaskState] | None
    deployment_status: AllocDeploymentStatus | None = None
    followup_eval_id: str
    previous_allocation: str
    next_allocation: str
    reschedule_tracker: RescheduleTracker | None
    create_index: int
    modify_index: int
    create_time: int
    modify_time: int

    @classmethod
    def of(cls, a: Allocation, *, resources: bool = False) -> AllocListStub:
        job = a.job
        return cls(
            id=a.id, eval_id=a.eval_id, name=a.name, namespace=a.namespace, node_id=a.node_id,
            node_name=a.node_name, job_id=a.job_id, job_type=job.type if job else "",
            job_version=a.job_version(), task_group=a.task_group,
            allocated_resources=a.allocated_resources if resources else None,
            desired_status=a.desired_status, desired_description=a.desired_description,
            client_status=a.client_status, client_description=a.client_description,
            task_states=a.task_states, deployment_status=a.deployment_status,
            followup_eval_id=a.followup_eval_id,
            previous_allocation=a.previous_allocation, next_allocation=a.next_allocation,
            reschedule_tracker=a.reschedule_tracker, create_index=a.create_index,
            modify_index=a.modify_index, create_time=a.create_time, modify_time=a.modify_time,
        )


class AllocClientUpdate(Struct):
    """What a client reports about one of its allocations."""

    id: str
    client_status: str
    client_description: str = ""
    task_states: dict[str, TaskState] | None = None
    # caravan's own: the allocation's service registrations as they should be now (None:
    # unchanged, from a client that does not report them); the server keeps them in step.
    services: list[ServiceRegistration] | None = None
    # The allocation's health in its deployment, once the client has decided it.
    deployment_status: AllocDeploymentStatus | None = None
