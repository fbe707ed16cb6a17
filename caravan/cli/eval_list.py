"""`caravan eval list [-job <id>] [-status <s>] [-per-page N] [-page-token T] [-verbose]
[-json]`: evaluations, newest first, as Nomad's `eval list` prints them."""

from __future__ import annotations

import sys

from caravan.api.query import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import format_json, id_length
from caravan.cli.listings import eval_list_table
from caravan.errors import UsageError

HELP = """
Usage: caravan eval list [options]

  List the evaluations in the namespace (-namespace "*" for all).
""" + CLIENT_OPTIONS_HELP + """
Eval List Options:

  -verbose
    Show full-length IDs and exact timestamps.

  -per-page
    How many results to show per page.

  -page-token
    Where to start pagination.

  -job
    Only show evaluations for this job ID.

  -status
    Only show evaluations with this status.

  -json
    Output the evaluation in its JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("verbose")
    fs.bool_flag("json")
    fs.int_flag("per-page")
    for name in ("page-token", "job", "status"):
        fs.string_flag(name)
    flags = fs.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    params = {"job": flags.get_str("job"), "status": flags.get_str("status"),
              "next_token": flags.get_str("page-token"),
              "per_page": str(flags.get_int("per-page") or "")}
    q = QueryOptions(params={k: v for k, v in params.items() if v})
    client = make_client(flags)
    with reported_as("Error querying evaluations: "):
        evals, meta = client.evaluations.list(q=q)
    if flags.get_bool("json"):
        ui.output(format_json([e.to_wire() for e in evals]))
        return 0
    if not evals:
        ui.output("No evals found")
        return 0
    ui.output(eval_list_table(evals, id_length(flags.get_bool("verbose"))))
    if meta.next_token:
        ui.output(f"\nResults have been paginated. To get the next page run:\n\n"
                  f"{_without_page_token(sys.argv)} -page-token {meta.next_token}")
    return 0


def _without_page_token(argv: list[str]) -> str:
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg.lstrip("-").startswith("page-token"):
            skip = "=" not in arg
            continue
        out.append(arg)
    return " ".join(out)
