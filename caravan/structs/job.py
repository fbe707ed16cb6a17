"""Job, TaskGroup, Task and the blocks inside them, with Nomad's JSON names.

Durations are integer nanoseconds, as on Nomad's wire. Defaults here are the
"unset" values; Nomad's job-type dependent defaults are filled by
`structs.canonicalize`.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from caravan.structs.action import Action
from caravan.structs.base import Struct
from caravan.structs.deployment import UpdateStrategy
from caravan.structs.drain import MigrateStrategy
from caravan.structs.periodic import DispatchPayloadConfig, ParameterizedJobConfig, PeriodicConfig
from caravan.structs.placement import Affinity, Spread
from caravan.structs.service import Service
from caravan.structs.template import Template

JOB_TYPES = ("service", "batch", "system", "sysbatch")


class Constraint(Struct):
    l_target: str = ""
    r_target: str = ""
    operand: str = "="

    def describe(self) -> str:
        """Nomad's text for a filtered node, e.g. `${attr.kernel.name} = linux`."""
        if self.operand in ("distinct_hosts", "distinct_property"):
            return self.operand
        return f"{self.l_target} {self.operand} {self.r_target}".strip()


class Port(Struct):
    """A port a group (or, the legacy way, a task) asks for: `static` when `value` is set."""

    label: str = ""
    value: int = 0
    to: int = 0
    host_network: str = "default"


class NetworkResource(Struct):
    mode: str = ""
    device: str = ""
    cidr: str = Field("", alias="CIDR")
    ip: str = ""
    mbits: int = Field(0, alias="MBits")
    reserved_ports: list[Port] | None = None
    dynamic_ports: list[Port] | None = None

    def ports(self) -> list[Port]:
        return [*(self.reserved_ports or []), *(self.dynamic_ports or [])]


class Resources(Struct):
    cpu: int | None = None
    cores: int | None = None
    memory_mb: int | None = None
    memory_max_mb: int | None = None
    disk_mb: int | None = None
    secrets_mb: int | None = None
    networks: list[NetworkResource] | None = None  # the legacy task-level `network`

    @field_validator("networks")
    @classmethod
    def _none_when_empty(cls, value: list[NetworkResource] | None) -> list[NetworkResource] | None:
        return value or None  # Nomad's JSON sends [] or null for "no network"


class RestartPolicy(Struct):
    attempts: int | None = None
    interval: int | None = None
    delay: int | None = None
    mode: str | None = None
    render_templates: bool = False


class ReschedulePolicy(Struct):
    attempts: int | None = None
    interval: int | None = None
    delay: int | None = None
    delay_function: str | None = None
    max_delay: int | None = None
    unlimited: bool | None = None


class EphemeralDisk(Struct):
    sticky: bool = False
    migrate: bool = False
    size_mb: int = 300


class LogConfig(Struct):
    max_files: int = 10
    max_file_size_mb: int = 10
    disabled: bool = False


class TaskArtifact(Struct):
    getter_source: str = ""
    getter_options: dict[str, str] | None = None
    getter_headers: dict[str, str] | None = None
    getter_mode: str = "any"
    getter_insecure: bool = False
    relative_dest: str = ""
    chown: bool = False


class VolumeRequest(Struct):
    name: str = ""
    type: str = "host"
    source: str = ""
    read_only: bool = False


class VolumeMount(Struct):
    volume: str = ""
    destination: str = ""
    read_only: bool = False
    propagation_mode: str = "private"


class TaskLifecycleConfig(Struct):
    """`lifecycle { hook sidecar }`: when a task runs relative to the group's main tasks."""

    hook: str = ""  # prestart | poststart | poststop
    sidecar: bool = False


LIFECYCLE_HOOKS = ("prestart", "poststart", "poststop")


class WorkloadIdentity(Struct):
    """`identity { aud env file ttl }`: the task's signed JWT (the default identity)."""

    name: str = ""
    audience: list[str] | None = None
    env: bool = False
    file: bool = False
    ttl: int = 0  # nanoseconds; 0: no expiry (valid while the allocation runs)


class Task(Struct):
    name: str = ""
    driver: str = ""
    user: str = ""
    config: dict[str, Any] = Field(default_factory=dict)
    env: dict[str, str] | None = None
    resources: Resources = Field(default_factory=Resources)
    constraints: list[Constraint] | None = None
    affinities: list[Affinity] | None = None
    meta: dict[str, str] | None = None
    kill_timeout: int | None = None
    kill_signal: str = ""
    log_config: LogConfig | None = None
    restart_policy: RestartPolicy | None = None
    artifacts: list[TaskArtifact] | None = None
    volume_mounts: list[VolumeMount] | None = None
    leader: bool = False
    lifecycle: TaskLifecycleConfig | None = None
    services: list[Service] | None = None
    actions: list[Action] | None = None
    dispatch_payload: DispatchPayloadConfig | None = None
    templates: list[Template] | None = None
    identity: WorkloadIdentity | None = None

    def is_main(self) -> bool:
        return self.lifecycle is None or self.lifecycle.hook == ""


class TaskGroup(Struct):
    name: str = ""
    count: int | None = None
    constraints: list[Constraint] | None = None
    affinities: list[Affinity] | None = None
    spreads: list[Spread] | None = None
    tasks: list[Task] = Field(default_factory=list)
    restart_policy: RestartPolicy | None = None
    reschedule_policy: ReschedulePolicy | None = None
    ephemeral_disk: EphemeralDisk | None = None
    volumes: dict[str, VolumeRequest] | None = None
    meta: dict[str, str] | None = None
    networks: list[NetworkResource] | None = None
    services: list[Service] | None = None
    update: UpdateStrategy | None = None
    migrate: MigrateStrategy | None = None

    @field_validator("networks")
    @classmethod
    def _none_when_empty(cls, value: list[NetworkResource] | None) -> list[NetworkResource] | None:
        return value or None

    def task(self, name: str) -> Task | None:
        return next((t for t in self.tasks if t.name == name), None)


class Job(Struct):
    id: str = ""
    name: str = ""
    namespace: str = "default"
    region: str = "global"
    type: str = "service"
    priority: int = 50
    all_at_once: bool = False
    datacenters: list[str] | None = None
    node_pool: str = "default"
    constraints: list[Constraint] | None = None
    affinities: list[Affinity] | None = None
    spreads: list[Spread] | None = None
    meta: dict[str, str] | None = None
    task_groups: list[TaskGroup] = Field(default_factory=list)
    update: UpdateStrategy | None = None
    migrate: MigrateStrategy | None = None  # merged into the groups by canonicalize
    # server-set
    stop: bool = False
    status: str = "pending"
    status_description: str = ""
    stable: bool = False
    version: int = 0
    submit_time: int = 0
    parent_id: str = ""
    dispatched: bool = False
    periodic: PeriodicConfig | None = None
    parameterized_job: ParameterizedJobConfig | None = None
    payload: str | None = None  # a dispatched job's input, base64 as on Nomad's wire
    create_index: int = 0
    modify_index: int = 0
    job_modify_index: int = 0

    def group(self, name: str) -> TaskGroup | None:
        return next((g for g in self.task_groups if g.name == name), None)

    def is_parameterized(self) -> bool:
        """A parameterized job waits for dispatches; its dispatched children keep the block."""
        return self.parameterized_job is not None and not self.dispatched

    def is_periodic_active(self) -> bool:
        """Whether the leader launches children of this job on its schedule."""
        return (self.periodic is not None and self.periodic.enabled and not self.stop
                and not self.is_parameterized())

    def is_template(self) -> bool:
        """Periodic and parameterized jobs are never scheduled themselves, only children."""
        return self.periodic is not None or self.is_parameterized()


class JobSummaryCounts(Struct):
    queued: int = 0
    complete: int = 0
    failed: int = 0
    running: int = 0
    starting: int = 0
    lost: int = 0
    unknown: int = 0


class JobChildrenSummary(Struct):
    pending: int = 0
    running: int = 0
    dead: int = 0


class JobSummary(Struct):
    job_id: str = ""
    namespace: str = "default"
    summary: dict[str, JobSummaryCounts] = Field(default_factory=dict)
    children: JobChildrenSummary = Field(default_factory=JobChildrenSummary)
    create_index: int = 0
    modify_index: int = 0


class JobListStub(Struct):
    id: str
    parent_id: str = ""
    name: str
    namespace: str
    datacenters: list[str] | None
    type: str
    priority: int
    periodic: bool = False
    parameterized_job: bool = False
    stop: bool
    status: str
    status_description: str
    job_summary: JobSummary | None = None
    create_index: int
    modify_index: int
    job_modify_index: int
    submit_time: int
