"""`caravan`: parse the command line, dispatch to a command module, map errors to exit codes.

Commands live in a lazy table (name -> module path, synopsis): nothing is imported
until dispatched, so `caravan -help` stays fast. A command module exposes
`run(args: list[str]) -> int` and, optionally, `HELP`.

This is the one place errors become messages and exit codes (`report`); commands
raise and never catch to print. A command names what it was doing around a call with
`cli.common.reported_as("Error querying jobs: ")`, which makes a failure below it a
CommandFailed with that message:

    -help (HelpRequested)  the command's help on stdout                              0
    UsageError             message + "For additional help try 'caravan <cmd> -help'"  1
    CommandFailed          its message                                               its code
    any other CaravanError "Error: <err>"                                            1
    Ctrl-C                 nothing                                                   130
    stdout closed (| head) nothing                                                   1
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from caravan.cli.flags import HelpRequested
from caravan.errors import CaravanError, CommandFailed, UsageError

COMMANDS: dict[str, tuple[str, str]] = {
    "acl bootstrap": ("caravan.cli.acl_bootstrap", "Bootstrap the ACL system for initial token"),
    "acl policy apply": ("caravan.cli.acl_policy_apply", "Create or update an ACL policy"),
    "acl policy delete": ("caravan.cli.acl_policy_delete", "Delete an existing ACL policy"),
    "acl policy info": ("caravan.cli.acl_policy_info", "Fetch info on an existing ACL policy"),
    "acl policy list": ("caravan.cli.acl_policy_list", "List ACL policies"),
    "acl token create": ("caravan.cli.acl_token_create", "Create a new ACL token"),
    "acl token delete": ("caravan.cli.acl_token_delete", "Delete an existing ACL token"),
    "acl token info": ("caravan.cli.acl_token_info", "Fetch info on an existing ACL token"),
    "acl token list": ("caravan.cli.acl_token_list", "List ACL tokens"),
    "acl token self": ("caravan.cli.acl_token_self", "Lookup self ACL token"),
    "acl token update": ("caravan.cli.acl_token_update", "Update an existing ACL token"),
    "namespace apply": ("caravan.cli.namespace_apply", "Create or update a namespace"),
    "namespace delete": ("caravan.cli.namespace_delete", "Delete a namespace"),
    "namespace list": ("caravan.cli.namespace_list", "List namespaces"),
    "namespace status": ("caravan.cli.namespace_status", "Display a namespace's status"),
    "service delete": ("caravan.cli.service_delete", "Deregister a registered service"),
    "service info": ("caravan.cli.service_info", "Display an individual service registration"),
    "service list": ("caravan.cli.service_list", "Display all registered services"),
    "agent": ("caravan.cli.agent", "Runs a caravan agent"),
    "alloc checks": ("caravan.cli.alloc_checks", "Outputs service health check status information"),
    "alloc cp": ("caravan.cli.alloc_cp", "Copy files to or from a running task"),
    "alloc debug": ("caravan.cli.alloc_debug", "Run a shell in a copy of an exited task"),
    "alloc exec": ("caravan.cli.alloc_exec", "Execute commands in task"),
    "alloc fs": ("caravan.cli.alloc_fs", "Inspect the contents of an allocation directory"),
    "alloc logs": ("caravan.cli.alloc_logs", "Streams the logs of a task."),
    "alloc port-forward": ("caravan.cli.alloc_port_forward",
                           "Forward local ports to ports of an allocation"),
    "alloc restart": ("caravan.cli.alloc_restart", "Restart a running allocation"),
    "alloc signal": ("caravan.cli.alloc_signal", "Signal a running allocation"),
    "alloc status": ("caravan.cli.alloc_status",
                     "Display allocation status information and metadata"),
    "alloc stop": ("caravan.cli.alloc_stop", "Stop and reschedule a running allocation"),
    "deployment fail": ("caravan.cli.deployment_fail", "Manually fail a deployment"),
    "deployment list": ("caravan.cli.deployment_list", "List all deployments"),
    "deployment pause": ("caravan.cli.deployment_pause", "Pause a deployment"),
    "deployment promote": ("caravan.cli.deployment_promote", "Promote canaries in a deployment"),
    "deployment resume": ("caravan.cli.deployment_resume", "Resume a paused deployment"),
    "deployment status": ("caravan.cli.deployment_status", "Display the status of a deployment"),
    "eval delete": ("caravan.cli.eval_delete", "Delete evaluations"),
    "eval list": ("caravan.cli.eval_list", "List the set of evaluations"),
    "eval status": ("caravan.cli.eval_status",
                    "Display evaluation status and placement failure reasons"),
    "exec replay": ("caravan.cli.exec_replay", "Play a recorded exec session"),
    "exec sessions": ("caravan.cli.exec_sessions", "List the audit records of exec sessions"),
    "job action": ("caravan.cli.job_action", "Run a pre-defined action from a task"),
    "job allocs": ("caravan.cli.job_allocs", "List allocations for a job"),
    "job dispatch": ("caravan.cli.job_dispatch", "Dispatch an instance of a parameterized job"),
    "job eval": ("caravan.cli.job_eval", "Force an evaluation for the job"),
    "job history": ("caravan.cli.job_history", "Display all tracked versions of a job"),
    "job promote": ("caravan.cli.job_promote",
                    "Promote a job's canaries in its latest deployment"),
    "job periodic force": ("caravan.cli.job_periodic_force",
                           "Force the launch of a periodic job"),
    "job plan": ("caravan.cli.job_plan", "Dry-run a job update to determine its effects"),
    "job restart": ("caravan.cli.job_restart", "Restart or reschedule allocations for a job"),
    "job revert": ("caravan.cli.job_revert", "Revert to a prior version of the job"),
    "job scale": ("caravan.cli.job_scale", "Change the count of a job group"),
    "job inspect": ("caravan.cli.job_inspect", "Inspect a submitted job"),
    "job run": ("caravan.cli.job_run", "Run a new job or update an existing job"),
    "job status": ("caravan.cli.job_status", "Display status information about a job"),
    "job stop": ("caravan.cli.job_stop", "Stop a running job"),
    "job validate": ("caravan.cli.job_validate",
                     "Checks if a given job specification is valid"),
    "node drain": ("caravan.cli.node_drain", "Toggle drain mode on a given node"),
    "node eligibility": ("caravan.cli.node_eligibility",
                         "Toggle scheduling eligibility for a given node"),
    "node meta apply": ("caravan.cli.node_meta_apply", "Modify node metadata"),
    "node meta read": ("caravan.cli.node_meta_read", "Read node metadata"),
    "node intro create": ("caravan.cli.node_intro_create",
                          "Generate a new node introduction token"),
    "node status": ("caravan.cli.node_status", "Display status information about nodes"),
    "status": ("caravan.cli.status", "Display the status output for a resource"),
    "system gc": ("caravan.cli.system_gc", "Run the system garbage collection process"),
    "tls ca create": ("caravan.cli.tls_ca_create", "Create a certificate authority"),
    "tls cert create": ("caravan.cli.tls_cert_create", "Create a new TLS certificate"),
    "operator scheduler get-config": ("caravan.cli.operator_scheduler_get_config",
                                      "Display the current scheduler configuration"),
    "operator scheduler set-config": ("caravan.cli.operator_scheduler_set_config",
                                      "Modify the current scheduler configuration"),
    "server members": ("caravan.cli.server_members", "Display a list of the known servers"),
    "ui": ("caravan.cli.ui", "Open the caravan web UI"),
    "var get": ("caravan.cli.var_get", "Read a variable"),
    "var list": ("caravan.cli.var_list", "List variable metadata"),
    "var purge": ("caravan.cli.var_purge", "Purge a variable"),
    "var put": ("caravan.cli.var_put", "Create or update a variable"),
    "version": ("caravan.cli.version", "Prints the caravan version"),
    "monitor": ("caravan.cli.agent_monitor", "Stream logs from a caravan agent"),
    "agent-info": ("caravan.cli.agent_info", "Display status information about the local agent"),
}

# Nomad's top-level shortcuts.
ALIASES = {"plan": "job plan", "run": "job run", "stop": "job stop", "inspect": "job inspect",
           "validate": "job validate", "logs": "alloc logs", "exec": "alloc exec",
           "fs": "alloc fs", "action": "job action"}

COMMON = ("run", "stop", "status", "logs", "agent", "version")
_HELP_FLAGS = ("-h", "-help", "--help")
_VERSION_FLAGS = ("-v", "-version", "--version")


def usage() -> str:
    width = max(len(name) for name in COMMANDS) + 4
    common = [f"    {n:<{width}}{COMMANDS[ALIASES.get(n, n)][1]}" for n in COMMON]
    nouns = sorted({name.split()[0] for name in COMMANDS if " " in name})
    other = [f"    {n:<{width}}{_noun_synopsis(n)}" for n in nouns]
    return ("Usage: caravan [-version] [-help] <command> [args]\n\n"
            "Common commands:\n" + "\n".join(common) +
            "\n\nOther commands:\n" + "\n".join(other))


def _noun_synopsis(noun: str) -> str:
    return {"acl": "Interact with ACL policies and tokens",
            "alloc": "Interact with allocations", "eval": "Interact with evaluations",
            "exec": "Execute commands in task (alias), or audit exec sessions",
            "namespace": "Interact with namespaces",
            "service": "Interact with registered services",
            "job": "Interact with jobs", "node": "Interact with nodes",
            "operator": "Provides cluster-level tools for caravan operators",
            "tls": "Generate Self Signed TLS Certificates for caravan",
            "var": "Interact with variables"}.get(noun, "")


def noun_help(noun: str) -> str:
    subs = sorted(n for n in COMMANDS if n.startswith(noun + " "))
    width = max(len(n) for n in subs) - len(noun) + 3
    lines = [f"    {n[len(noun) + 1:]:<{width}}{COMMANDS[n][1]}" for n in subs]
    return (f"Usage: caravan {noun} <subcommand> [options] [args]\n\n"
            f"  {_noun_synopsis(noun)}.\n\nSubcommands:\n" + "\n".join(lines))


def resolve(argv: Sequence[str]) -> tuple[str | None, list[str]]:
    """(command name, its arguments); the name is None when argv names no command."""
    if not argv:
        return None, []
    if " ".join(argv[:2]) in COMMANDS:  # `exec sessions` before the `exec` alias
        return " ".join(argv[:2]), list(argv[2:])
    first = ALIASES.get(argv[0], argv[0])
    for width in (3, 2):  # `acl policy apply`, then `job run`
        name = " ".join([first, *argv[1:width]])
        if len(argv) >= width and name in COMMANDS:
            return name, list(argv[width:])
    if first in COMMANDS:
        return first, list(argv[1:])
    return None, list(argv[1:])


def run_command(name: str, args: list[str]) -> int:
    """Import and run one command, turning whatever it raises into an exit code."""
    module = importlib.import_module(COMMANDS[name][0])
    try:
        code: int = module.run(args)
        return code
    except HelpRequested:
        print(_help_of(module, name))
        return 0
    except CaravanError as exc:
        return report(name, exc)


def report(name: str, exc: CaravanError) -> int:
    """Print what the user needs to know about `exc` and return the exit code."""
    if isinstance(exc, UsageError):
        _error(exc.message)
        _error(f"For additional help try 'caravan {name} -help'")
    elif isinstance(exc, CommandFailed):
        if exc.message:
            _error(exc.message)
    else:
        _error(f"Error: {exc}")
    return exc.code if isinstance(exc, CommandFailed) else 1


def _help_of(module: ModuleType, name: str) -> str:
    text = getattr(module, "HELP", None)
    return str(text).strip() if text else f"Usage: caravan {name} [options]"


def _error(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _dispatch(argv: list[str]) -> int:
    if not argv:
        _error(usage())
        return 127
    if argv[0] in _VERSION_FLAGS:
        return run_command("version", [])
    if argv[0] in _HELP_FLAGS:
        print(usage())
        return 0
    name, args = resolve(argv)
    if name is not None:
        return run_command(name, args)
    noun = argv[0]
    if any(n.startswith(noun + " ") for n in COMMANDS):
        wants_help = bool(args) and args[0] in _HELP_FLAGS
        (print if wants_help else _error)(noun_help(noun))
        return 0 if wants_help else 1
    _error(usage())
    return 127


def main(argv: Sequence[str] | None = None) -> int:
    """The console script. Returns (and, as a script, exits with) the exit code."""
    try:
        code = _dispatch(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        # Output piped into something that stopped reading (`| head`): not an error
        # worth a traceback. Point stdout at devnull so the exit flush stays quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
