"""The cluster's scheduler configuration (`/v1/operator/scheduler/configuration`), with
Nomad's JSON names and defaults.

caravan honours `MemoryOversubscriptionEnabled` (a task's `memory_max` becomes its hard
limit only while it is on), `RejectJobRegistration` and `PauseEvalBroker`; it schedules
by bin-packing only and never preempts, so `spread` or preemption beyond Nomad's
default are refused rather than stored and ignored."""

from __future__ import annotations

from pydantic import Field

from caravan.errors import InvalidInput
from caravan.structs.base import Struct


class PreemptionConfig(Struct):
    system_scheduler_enabled: bool = True
    sys_batch_scheduler_enabled: bool = False
    batch_scheduler_enabled: bool = False
    service_scheduler_enabled: bool = False


class SchedulerConfiguration(Struct):
    scheduler_algorithm: str = "binpack"
    preemption_config: PreemptionConfig = Field(default_factory=PreemptionConfig)
    memory_oversubscription_enabled: bool = False
    reject_job_registration: bool = False
    pause_eval_broker: bool = False
    node_limit_for_feasibility_checks: int = 0
    create_index: int = 0
    modify_index: int = 0


class SchedulerConfigurationResponse(Struct):
    scheduler_config: SchedulerConfiguration = Field(default_factory=SchedulerConfiguration)
    index: int = 0
    known_leader: bool = True
    last_contact: int = 0


class SchedulerSetConfigurationResponse(Struct):
    updated: bool = False
    index: int = 0


def check_scheduler_config(config: SchedulerConfiguration) -> None:
    """Nomad's checks, and what caravan cannot do said out loud."""
    if config.scheduler_algorithm not in ("binpack", "spread"):
        raise InvalidInput(f'invalid scheduler algorithm "{config.scheduler_algorithm}": '
                           '"binpack" or "spread"')
    if config.scheduler_algorithm == "spread":
        raise InvalidInput('scheduler algorithm "spread" is not supported by caravan '
                           '(it bin-packs)')
    p = config.preemption_config
    if p.sys_batch_scheduler_enabled or p.batch_scheduler_enabled or \
            p.service_scheduler_enabled:
        raise InvalidInput("preemption for batch, sysbatch and service jobs is not "
                           "supported by caravan")
    if config.node_limit_for_feasibility_checks < 0:
        raise InvalidInput("node limit for feasibility checks must be zero or positive")
    if config.node_limit_for_feasibility_checks:
        raise InvalidInput("a node limit for feasibility checks is not supported by caravan")
