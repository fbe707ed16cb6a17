"""`caravan operator scheduler set-config [-check-index N] [-memory-oversubscription=bool]
...`: change the cluster's scheduler configuration with a check-and-set, as Nomad does."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags, parse_go_bool
from caravan.errors import CommandFailed, UsageError
from caravan.structs.operator import SchedulerConfiguration

HELP = """
Usage: caravan operator scheduler set-config [options]

  Modifies the current scheduler configuration.

  If ACLs are enabled, this command requires a token with the 'operator:write'
  capability.
""" + CLIENT_OPTIONS_HELP + """
Scheduler Set Config Options:

  -check-index
    If set, the scheduler config is only updated if the passed modify index
    matches the current server side version.

  -scheduler-algorithm=["binpack"|"spread"]
    Specifies whether scheduler binpacks or spreads allocations on available
    nodes (caravan bin-packs only).

  -memory-oversubscription=[true|false]
    When true, tasks may exceed their reserved memory limit, up to their
    memory_max.

  -reject-job-registration=[true|false]
    When true, only a management token may register, dispatch or scale jobs.

  -pause-eval-broker=[true|false]
    When true, the eval broker is paused: no evaluation is processed.

  -preempt-batch-scheduler=[true|false]
  -preempt-service-scheduler=[true|false]
  -preempt-sysbatch-scheduler=[true|false]
  -preempt-system-scheduler=[true|false]
    Preemption per scheduler (caravan does not preempt: only false is taken,
    and system's default).
"""

_BOOLS = {"memory-oversubscription": ("memory_oversubscription_enabled",),
          "reject-job-registration": ("reject_job_registration",),
          "pause-eval-broker": ("pause_eval_broker",),
          "preempt-batch-scheduler": ("preemption_config", "batch_scheduler_enabled"),
          "preempt-service-scheduler": ("preemption_config", "service_scheduler_enabled"),
          "preempt-sysbatch-scheduler": ("preemption_config", "sys_batch_scheduler_enabled"),
          "preempt-system-scheduler": ("preemption_config", "system_scheduler_enabled")}


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in (*_BOOLS, "check-index", "scheduler-algorithm",
                 "node-limit-for-feasibility-checks"):
        fs.string_flag(name)
    flags = fs.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    check_index = _check_index(flags.get_str("check-index"))
    client = make_client(flags)
    with reported_as("Error querying for scheduler configuration: "):
        reply, _ = client.operator.scheduler_get_configuration()
    config = reply.scheduler_config
    if check_index and config.modify_index != check_index:
        raise CommandFailed(
            "Error performing check index set: check-index "
            f"{check_index} does not match does not match current state value "
            f"{config.modify_index}")
    _merge(flags, config)
    with reported_as("Error setting scheduler configuration: "):
        result = client.operator.scheduler_cas_configuration(config)
    if result.updated:
        ui.output("Scheduler configuration updated!")
        return 0
    ui.output("Scheduler configuration could not be atomically updated, please try again")
    return 1


def _check_index(text: str) -> int:
    if not text:
        return 0
    if not text.isdigit():
        raise CommandFailed(f'Error parsing check-index value "{text}": not an index')
    return int(text)


def _merge(flags: Flags, config: SchedulerConfiguration) -> None:
    """Only the flags given change anything (Nomad's tri-state flags)."""
    if flags.get_str("scheduler-algorithm"):
        config.scheduler_algorithm = flags.get_str("scheduler-algorithm")
    limit = flags.get_str("node-limit-for-feasibility-checks")
    if limit:
        if not limit.isdigit():
            raise CommandFailed(f'invalid value "{limit}" for '
                                "-node-limit-for-feasibility-checks: not a number")
        config.node_limit_for_feasibility_checks = int(limit)
    for flag, path in _BOOLS.items():
        text = flags.get_str(flag)
        if not text:
            continue
        try:
            value = parse_go_bool(text)
        except ValueError:
            raise CommandFailed(f'invalid boolean value "{text}" for -{flag}') from None
        target: object = config
        for name in path[:-1]:
            target = getattr(target, name)
        setattr(target, path[-1], value)
