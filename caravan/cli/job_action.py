"""`caravan action` / `caravan job action [options] <action>`: run a job action, a command
predefined in the task (`action "name" { command = ...  args = [...] }`), as Nomad 1.7+.

Flags, checks and texts follow Nomad's `job action`: `-job` always; either `-alloc`, or
`-group` and `-task` (a running allocation of that group is picked at random). The
session is the exec channel's on `/v1/job/<id>/action`, run as `alloc exec` runs its own
(`cli.lean.session.run_channel`): same terminal handling,
same exit code, same ACLs (`alloc-exec`, plus `alloc-node-exec` for raw_exec tasks).
"""

from __future__ import annotations

import json
import random

from caravan.api import Client, QueryOptions
from caravan.cli.alloc_exec import both_terminals, lean_agent, pick_task
from caravan.cli.alloc_exec import Options as ExecOptions
from caravan.cli.lean.agent import path_id
from caravan.cli.lean.session import run_channel
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.lookup import multiple_allocs_text, random_job_alloc, sanitize_uuid_prefix
from caravan.errors import CommandFailed, UsageError
from caravan.structs import Allocation

HELP = """
Usage: caravan action [options] <action>
Alias: caravan job action

  Runs an action predefined in a task of the job (an 'action' block) inside a
  running allocation, as 'alloc exec' runs a command. Either -alloc, or -group
  and -task (a running allocation of the group is picked at random), must be
  given with -job.

    caravan action -job=web -alloc=3f2a1b9c flush-cache
    caravan action -job=web -group=frontend -task=nginx flush-cache

  With ACLs, the token needs 'alloc-exec', 'read-job' and 'list-jobs' in the
  task's namespace; tasks without filesystem isolation (raw_exec) also need
  'alloc-node-exec'.
""" + CLIENT_OPTIONS_HELP + """
Action Specific Options:

  -job <job-id>
    The job in which the action is defined.

  -alloc <allocation-id>
    The allocation to run the action in. Without it, -group and -task are
    required and a running allocation of the group is picked at random.

  -task <task-name>
    The task in which the action is defined.

  -group <group-name>
    The task group of the task.

  -i
    Send stdin to the command (default true; -i=false sends an empty stdin).

  -t
    Give the command a pseudo-terminal. Defaults to true when stdin is a
    terminal; -t=false disables it.

  -e <escape_char>
    The escape character of a session with a pseudo-terminal (default '~').
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    for name in ("task", "group", "alloc", "job"):
        flags.string_flag(name)
    flags.bool_flag("i", True)
    flags.bool_flag("t", both_terminals())
    flags.string_flag("e", "~")
    parsed = flags.parse(args)
    job, group, task = parsed.get_str("job"), parsed.get_str("group"), parsed.get_str("task")
    if not parsed.args:
        raise UsageError("An action name is required")
    if not job:
        raise UsageError("A job ID is required")
    tty, stdin = parsed.get_bool("t"), parsed.get_bool("i")
    if tty and not stdin:
        raise UsageError("-i must be enabled if running with tty")
    escape = "" if parsed.get_str("e") == "none" else parsed.get_str("e")
    if len(escape.encode()) > 1:
        raise UsageError("-e requires 'none' or a single character")
    options = ExecOptions(tty, stdin, escape)
    with make_client(parsed) as client:
        alloc = _pick(client, parsed.get_str("alloc"), job, group, task, ui)
        task = pick_task(alloc, task)
    params = {"task": task, "command": json.dumps([]), "tty": str(tty).lower(),
              "action": parsed.args[0], "allocID": alloc.id, "group": alloc.task_group}
    agent = lean_agent(parsed)
    try:
        with reported_as("failed to exec into task: "):
            return run_channel(agent, f"/v1/job/{path_id(job)}/action", params,
                               alloc.node_id or None, options)
    finally:
        agent.close()


def _pick(client: Client, alloc_id: str, job: str, group: str, task: str, ui: Ui) -> Allocation:
    if not alloc_id:
        if not group:
            raise UsageError("A group name is required if no allocation is provided")
        if not task:
            raise UsageError("A task name is required if no allocation is provided")
        alloc_id = random_job_alloc(client, job, group, random.choice)
        namespace = None
    else:
        with reported_as("Error querying allocation: "):
            stubs, _ = client.allocations.list(prefix=sanitize_uuid_prefix(alloc_id))
        if not stubs:
            raise CommandFailed(f'No allocation(s) with prefix or id "{alloc_id}" found')
        if len(stubs) > 1:
            raise CommandFailed(multiple_allocs_text(stubs, False, ui.now_ns()))
        alloc_id, namespace = stubs[0].id, stubs[0].namespace
    with reported_as("Error querying allocation: "):
        alloc, _ = client.allocations.info(alloc_id, QueryOptions(namespace=namespace))
    return alloc
