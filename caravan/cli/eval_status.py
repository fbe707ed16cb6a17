"""`caravan eval status <eval>`: one evaluation, what it placed, and why it could not
place the rest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import (
    format_json,
    format_kv,
    format_rfc3339,
    format_unix_nano,
    id_length,
    limit,
    pretty_time_diff,
)
from caravan.cli.listings import alloc_stub_table, eval_list_table
from caravan.cli.lookup import check_id_length, sanitize_uuid_prefix
from caravan.cli.monitor import EvalMonitor
from caravan.cli.placement import (
    eval_failure_status,
    failed_group_header,
    failed_groups,
    format_alloc_metrics,
)
from caravan.errors import CommandFailed, UsageError
from caravan.structs import AllocListStub, Evaluation

HELP = """
Usage: caravan eval status [options] <evaluation>

  Display information about evaluations. This command can be used to inspect the
  current status of an evaluation as well as determine the reason an evaluation
  did not place all allocations.
""" + CLIENT_OPTIONS_HELP + """
Eval Status Options:

  -monitor
    Monitor an outstanding evaluation

  -verbose
    Show full-length IDs, exact timestamps, and all plan annotation fields.

  -json
    Output the evaluation in its JSON format.
"""


def _trigger(ev: Evaluation) -> tuple[str, str] | None:
    if ev.triggered_by == "node-update" and ev.node_id:
        return "Node ID", ev.node_id
    if ev.triggered_by == "max-plan-attempts" and ev.previous_eval:
        return "Previous Eval", ev.previous_eval
    return None


def basic_info(ev: Evaluation, verbose: bool, now_ns: int, tz: tzinfo | None = None) -> str:
    length = id_length(verbose)
    if verbose:
        created, modified = format_unix_nano(ev.create_time, tz), format_unix_nano(
            ev.modify_time, tz)
    else:
        created, modified = pretty_time_diff(ev.create_time, now_ns), pretty_time_diff(
            ev.modify_time, now_ns)
    pairs: list[tuple[str, object]] = [
        ("ID", limit(ev.id, length)), ("Create Time", created), ("Modify Time", modified),
        ("Status", ev.status), ("Status Description", ev.status_description or ev.status),
        ("Type", ev.type), ("TriggeredBy", ev.triggered_by), ("Job ID", ev.job_id),
        ("Namespace", ev.namespace),
    ]
    trigger = _trigger(ev)
    if trigger:
        pairs.append(trigger)
    pairs += [("Priority", ev.priority), ("Placement Failures", eval_failure_status(ev)[0])]
    wait_until = format_rfc3339(ev.wait_until, tz)
    if wait_until:
        pairs.append(("Wait Until", wait_until))
    if ev.quota_limit_reached:
        pairs.append(("Quota Limit Reached", ev.quota_limit_reached))
    pairs += [("Previous Eval", limit(ev.previous_eval, length)),
              ("Next Eval", limit(ev.next_eval, length)),
              ("Blocked Eval", limit(ev.blocked_eval, length))]
    return format_kv(pairs)


def format_eval_status(
    ev: Evaluation, placed: Sequence[AllocListStub], verbose: bool, now_ns: int,
    tz: tzinfo | None = None,
) -> str:
    """The full `eval status` text (pure)."""
    length = id_length(verbose)
    parts = [basic_info(ev, verbose, now_ns, tz)]
    if placed:
        parts.append("Placed Allocations\n" + alloc_stub_table(placed, False, length, now_ns))
    if ev.failed_tg_allocs:
        lines = ["Failed Placements"]
        for group, metric in failed_groups(ev):
            lines += [failed_group_header(group, metric), *format_alloc_metrics(metric)]
        if ev.blocked_eval:
            lines += ["", f'Evaluation "{limit(ev.blocked_eval, length)}" waiting for '
                          "additional capacity to place remainder"]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("monitor", "verbose", "json", "ui"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    client = make_client(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument")
    check_id_length(flags.args[0], "Identifier must contain at least two characters.")
    as_json, verbose = check_output_flags(flags), flags.get_bool("verbose")
    prefix = sanitize_uuid_prefix(flags.args[0])
    with reported_as("Error querying evaluation: "):
        evals, _ = client.evaluations.list(prefix=prefix)
    if not evals:
        raise CommandFailed(f'No evaluation(s) with prefix or id "{prefix}" found')
    if len(evals) > 1:
        raise CommandFailed("Prefix matched multiple evaluations\n\n"
                            + eval_list_table(evals, id_length(verbose)))
    if flags.get_bool("monitor"):
        return EvalMonitor(client, ui, id_length(verbose)).monitor(evals[0].id)
    with reported_as("Error querying evaluation: "):
        ev, _ = client.evaluations.info(evals[0].id)
    if as_json:
        ui.output(format_json(ev.to_wire()))
        return 0
    with reported_as("Error querying related allocations: "):
        placed, _ = client.evaluations.allocations(ev.id)
    ui.output(format_eval_status(ev, placed, verbose, ui.now_ns()))
    return 0
