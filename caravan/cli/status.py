"""`caravan status [<prefix>]`: the job list, or the status of whatever job,
allocation, node or evaluation the prefix names."""

from __future__ import annotations

import importlib
import string
from collections.abc import Callable

from caravan.api import Client
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.lookup import sanitize_uuid_prefix
from caravan.errors import CommandFailed

HELP = """
Usage: caravan status [options] <identifier>

  Display the status output for any caravan resource matching the given
  identifier: a job, allocation, node or evaluation ID (or unique prefix).
  With no identifier it lists the jobs, like `caravan job status`.
""" + CLIENT_OPTIONS_HELP + """
Status Options:

  -verbose
    Display full information.
"""

# Context -> the status command that shows it, in the order they are searched.
CONTEXT_COMMANDS = {"jobs": "caravan.cli.job_status", "allocs": "caravan.cli.alloc_status",
                    "nodes": "caravan.cli.node_status", "evals": "caravan.cli.eval_status"}
_UUID_CHARS = set(string.hexdigits.lower() + "-")


def find_matches(client: Client, identifier: str) -> dict[str, list[str]]:
    """IDs starting with `identifier`, per context (jobs, allocs, nodes, evals)."""
    listers: dict[str, Callable[[str], list[str]]] = {
        "jobs": lambda p: [j.id for j in client.jobs.list(prefix=p)[0]],
        "allocs": lambda p: [a.id for a in client.allocations.list(prefix=p)[0]],
        "nodes": lambda p: [n.id for n in client.nodes.list(prefix=p)[0]],
        "evals": lambda p: [e.id for e in client.evaluations.list(prefix=p)[0]],
    }
    uuid_prefix = sanitize_uuid_prefix(identifier)
    is_uuid = set(identifier) <= _UUID_CHARS and len(uuid_prefix) >= 2
    matches: dict[str, list[str]] = {}
    for context, lister in listers.items():
        if context == "jobs":
            matches[context] = lister(identifier)
        else:
            matches[context] = lister(uuid_prefix) if is_uuid else []
    return matches


def pick_context(identifier: str, matches: dict[str, list[str]]) -> str | None:
    """The one context the identifier names; raises when it names several."""
    exact = [ctx for ctx, ids in matches.items() if ids and ids[0] == identifier]
    if len(exact) == 1:
        return exact[0]
    nonempty = [ctx for ctx, ids in matches.items() if ids]
    if len(exact) > 1 or len(nonempty) > 1 or any(len(matches[c]) > 1 for c in nonempty):
        raise CommandFailed(multi_match_text(identifier, matches))
    return nonempty[0] if nonempty else None


def multi_match_text(identifier: str, matches: dict[str, list[str]]) -> str:
    lines = [f'Multiple matches found for id "{identifier}"']
    for context, ids in matches.items():
        if ids:
            lines += ["", f"{context.title()}:", ", ".join(ids)]
    return "\n".join(lines)


def _run_context(context: str, args: list[str], ui: Ui) -> int:
    module = importlib.import_module(CONTEXT_COMMANDS[context])
    code: int = module.run(args, ui)
    return code


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("verbose")
    fs.bool_flag("ui")
    flags = fs.parse(args)
    if not flags.args:
        return _run_context("jobs", args, ui)
    identifier = flags.args[-1]
    with reported_as("Error querying search with id: "):
        matches = find_matches(make_client(flags), identifier)
    context = pick_context(identifier, matches)
    if context is None:
        raise CommandFailed(f'Unable to resolve ID: "{identifier}"')
    return _run_context(context, args, ui)
