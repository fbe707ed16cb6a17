"""`caravan alloc exec [options] <allocation> <command> [args...]`: a command in a task.

Flags and texts are Nomad's (nomad-facts §4.1-4.4). A session is a whole CLI process, so
the usual path (an allocation ID, one session) runs on the standard library alone
(`caravan.cli.lean`: JSON dicts over a socket, no httpx, pydantic or asyncio); `-job`
resolves its allocation through the typed client first, `-all` is `alloc_exec_all.py`.
The exit code is the remote command's own.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    client_flag_set,
    make_client,
    reported_as,
    tls_config,
)
from caravan.cli.exec_terminal import EscapeFilter, Options, both_terminals
from caravan.cli.flags import Flags
from caravan.cli.task_choice import choose_task, sanitize_uuid_prefix
from caravan.errors import CommandFailed, UsageError

if TYPE_CHECKING:
    from caravan.cli.lean.agent import Agent
    from caravan.structs import Allocation

__all__ = ["EscapeFilter", "Options", "both_terminals", "expand_it", "pick_task", "run",
           "session_options"]

HELP = """
Usage: caravan alloc exec [options] <allocation> <command> [args...]
Alias: caravan exec

  Runs a command inside a running task of the allocation, in the task's own
  environment (for exec tasks: inside its container). The command's exit code
  becomes this command's exit code.

  With ACLs, the token needs 'alloc-exec' (plus 'read-job' and 'list-jobs') in
  the allocation's namespace; tasks without filesystem isolation (raw_exec) also
  need 'alloc-node-exec'.
""" + CLIENT_OPTIONS_HELP + """
Exec Specific Options:

  -task <task-name>
    The task to run the command in (needed when the group has several).

  -job
    Treat the first argument as a job ID or prefix and pick one of its running
    allocations at random.

  -group <group-name>
    With -job, pick among the allocations of this task group only.

  -i
    Send stdin to the command (default true; -i=false sends an empty stdin).

  -t
    Give the command a pseudo-terminal. Defaults to true when both stdin and
    stdout are terminals; -t=false disables it.

  -e <escape_char>
    The escape character of a session with a pseudo-terminal (default '~').
    At the start of a line, the escape character followed by '.' closes the
    session, and a doubled escape character sends one. 'none' disables it.

  -u <user>
    Run the command as this user instead of the task's. The client must list
    the user in its exec or raw_exec plugin config's 'allow_exec_users', and for
    exec tasks the user must exist in the task's own /etc/passwd.

  -all
    With -job, run the (non-interactive) command in every running allocation of
    the job at once. Each output line is prefixed with the allocation's short ID
    and the task; a table of exit codes follows on stderr. The exit code is 0
    only when every command exited 0. Cannot be used with -t or -i.

  -parallel <n>
    With -all, run at most this many sessions at once (default 8).

  -prefix
    With -all, prefix each output line with the allocation and task (default
    true; -prefix=false prints the lines as they are).
"""

PARALLEL = 8

STDIN_CHUNK = 64 * 1024


# ---- pure parts -------------------------------------------------------------------------


def expand_it(args: list[str]) -> list[str]:
    """`-it` / `-ti` anywhere (even after the command) mean `-i -t`, as in Nomad >= 2.0.1."""
    out: list[str] = []
    for arg in args:
        out.extend(("-i", "-t") if arg in ("-it", "-ti") else (arg,))
    return out


# ---- the command ------------------------------------------------------------------------


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    for name in ("task", "group"):
        flags.string_flag(name)
    flags.bool_flag("job")
    flags.bool_flag("i", True)
    flags.bool_flag("t", both_terminals())
    flags.string_flag("e", "~")
    flags.string_flag("u")
    flags.bool_flag("all")
    flags.int_flag("parallel", PARALLEL)
    flags.bool_flag("prefix", True)
    parsed = flags.parse(expand_it(args))
    if parsed.get_bool("all"):
        return _run_all(parsed)
    options = _options(parsed)
    return run_in_task(parsed, parsed.args[0], parsed.args[1:], options, ui)


def run_in_task(parsed: Flags, target: str, command: list[str], options: Options, ui: Ui,
                route: str = "exec", doing: str = "exec into") -> int:
    """Resolve `target` (an allocation prefix, or with -job a job), pick the task and run
    `command` on the allocation's `route` (exec, or debug: `alloc debug`)."""
    from caravan.cli.lean.agent import path_id
    from caravan.cli.lean.session import run_channel

    agent = lean_agent(parsed)
    try:
        alloc = _alloc(agent, _job_alloc(parsed, target) if parsed.values.get("job") is True
                       else _alloc_id(agent, parsed, target, ui))
        task = choose_task(alloc["ID"], alloc.get("TaskGroup", ""), _task_names(alloc),
                           parsed.get_str("task"))
        params = {"task": task, "command": json.dumps(command), "tty": str(options.tty).lower()}
        if options.user:
            params["user"] = options.user
        with reported_as(f"failed to {doing} task: "):
            return run_channel(agent, f"/v1/client/allocation/{path_id(alloc['ID'])}/{route}",
                               params, alloc.get("NodeID") or None, options)
    finally:
        agent.close()


def lean_agent(parsed: Flags) -> Agent:
    """The agent the client flags name, for the lean transport."""
    from caravan.cli.lean.agent import Agent

    return Agent(parsed.get_str("address"), parsed.get_str("token"),
                 parsed.get_str("namespace"), parsed.get_str("region"), tls_config(parsed))


def _run_all(parsed: Flags) -> int:
    """`-all`: the fan-out (`alloc_exec_all.py`), after its own argument checks."""
    from caravan.cli.alloc_exec_all import run_all

    if not parsed.get_bool("job"):
        raise UsageError("-all requires -job: it runs the command in every running "
                         "allocation of that job")
    given = [f"-{name}" for name in ("t", "i") if parsed.was_given(name) and parsed.get_bool(name)]
    if given:
        raise CommandFailed(f"{' and '.join(given)} cannot be used with -all: it runs a "
                            "non-interactive command (no terminal, no stdin) in every "
                            "allocation at once")
    if parsed.get_int("parallel") < 1:
        raise CommandFailed("-parallel must be at least 1")
    if not parsed.args:
        raise UsageError("A job ID is required")
    if len(parsed.args) < 2:
        raise UsageError("A command is required")
    with make_client(parsed) as client:
        return run_all(client, parsed.args[0], parsed.get_str("group"), parsed.get_str("task"),
                       parsed.args[1:], parsed.get_str("u"), parsed.get_int("parallel"),
                       parsed.get_bool("prefix"))


def _options(parsed: Flags) -> Options:
    """Nomad's argument checks, in its order."""
    positional, job = parsed.args, parsed.get_bool("job")
    if not positional:
        raise UsageError("A job ID is required" if job else "An allocation ID is required")
    if not job and len(positional[0]) == 1:
        raise CommandFailed("Alloc ID must contain at least two characters")
    if len(positional) < 2:
        raise UsageError("A command is required")
    return replace(session_options(parsed), user=parsed.get_str("u"))


def session_options(parsed: Flags) -> Options:
    """-t, -i and -e, checked as Nomad does (shared with `alloc debug`)."""
    tty, stdin = parsed.get_bool("t"), parsed.get_bool("i")
    if tty and not stdin:
        raise CommandFailed("-i must be enabled if running with tty")
    escape = parsed.get_str("e")
    escape = "" if escape == "none" else escape
    if len(escape.encode()) > 1:
        raise CommandFailed("-e requires 'none' or a single character")
    return Options(tty, stdin, escape)


def pick_task(alloc: Allocation, task: str) -> str:
    """The task of a typed allocation to act on (`alloc debug`, `job action`)."""
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    names = [t.name for t in group.tasks] if group is not None else None
    return choose_task(alloc.id, alloc.task_group, names, task)


def _task_names(alloc: dict[str, Any]) -> list[str] | None:
    groups = (alloc.get("Job") or {}).get("TaskGroups") or []
    group = next((g for g in groups if g.get("Name") == alloc.get("TaskGroup")), None)
    return [t["Name"] for t in group.get("Tasks") or []] if group is not None else None


def _alloc_id(agent: Agent, parsed: Flags, alloc_id: str, ui: Ui) -> tuple[str, str]:
    """(ID, namespace) of the one allocation the prefix names."""
    with reported_as("Error querying allocation: "):
        stubs = agent.get("/v1/allocations", {"prefix": sanitize_uuid_prefix(alloc_id)})
    if not stubs:
        raise CommandFailed(f'No allocation(s) with prefix or id "{alloc_id}" found')
    if len(stubs) > 1:
        _several(parsed, alloc_id, ui)
    return stubs[0]["ID"], stubs[0].get("Namespace", "")


def _several(parsed: Flags, alloc_id: str, ui: Ui) -> None:
    """Several matches: Nomad's table of them, through the typed client (a slow path
    only on the way to an error)."""
    from caravan.cli.lookup import multiple_allocs_text

    with make_client(parsed) as client, reported_as("Error querying allocation: "):
        stubs, _ = client.allocations.list(prefix=sanitize_uuid_prefix(alloc_id))
    raise CommandFailed(multiple_allocs_text(stubs, False, ui.now_ns()))


def _job_alloc(parsed: Flags, job: str) -> tuple[str, str]:
    import random

    from caravan.cli.lookup import random_job_alloc

    with make_client(parsed) as client:
        return random_job_alloc(client, job, parsed.get_str("group"), random.choice), ""


def _alloc(agent: Agent, alloc: tuple[str, str]) -> dict[str, Any]:
    alloc_id, namespace = alloc
    from caravan.cli.lean.agent import path_id

    with reported_as("Error querying allocation: "):
        found: dict[str, Any] = agent.get(f"/v1/allocation/{path_id(alloc_id)}",
                                          {"namespace": namespace} if namespace else None)
    return found
