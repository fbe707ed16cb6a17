"""`caravan operator scheduler get-config [-json]`: the cluster's scheduler
configuration, as Nomad prints it."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import format_json, format_kv
from caravan.cli.listings import yes_no
from caravan.errors import UsageError
from caravan.structs.operator import SchedulerConfiguration

HELP = """
Usage: caravan operator scheduler get-config [options]

  Displays the current scheduler configuration.

  If ACLs are enabled, this command requires a token with the 'operator:read'
  capability.
""" + CLIENT_OPTIONS_HELP + """
Scheduler Get Config Options:

  -json
    Output the scheduler config in its JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    flags = fs.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    client = make_client(flags)
    with reported_as("Error querying scheduler configuration: "):
        reply, _ = client.operator.scheduler_get_configuration()
    if flags.get_bool("json"):
        ui.output(format_json(reply.to_wire()))
        return 0
    ui.output(format_config(reply.scheduler_config))
    return 0


def format_config(c: SchedulerConfiguration) -> str:
    p = c.preemption_config
    return format_kv([
        ("Scheduler Algorithm", c.scheduler_algorithm),
        ("Memory Oversubscription", yes_no(c.memory_oversubscription_enabled)),
        ("Reject Job Registration", yes_no(c.reject_job_registration)),
        ("Pause Eval Broker", yes_no(c.pause_eval_broker)),
        ("Preemption System Scheduler", yes_no(p.system_scheduler_enabled)),
        ("Preemption Service Scheduler", yes_no(p.service_scheduler_enabled)),
        ("Preemption Batch Scheduler", yes_no(p.batch_scheduler_enabled)),
        ("Preemption SysBatch Scheduler", yes_no(p.sys_batch_scheduler_enabled)),
        ("Node Limit For Feasibility Checks", str(c.node_limit_for_feasibility_checks)),
        ("Modify Index", str(c.modify_index))])
