"""`caravan alloc status <alloc>`: one allocation and its tasks, in Nomad's layout."""

from __future__ import annotations

from datetime import tzinfo

from caravan.api import Client
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
    format_list,
    format_unix_nano,
    go_duration,
    id_length,
    limit,
    pretty_time_diff,
)
from caravan.cli.lookup import alloc_info, alloc_matches, check_id_length, multiple_allocs_text
from caravan.cli.placement import format_alloc_metrics, score_table
from caravan.cli.task_events import task_events_text, task_resources_text, verbose_usage_text
from caravan.errors import CaravanError, UsageError
from caravan.structs import Allocation, TaskLifecycleConfig, TaskState
from caravan.structs.stats import AllocResourceUsage

HELP = """
Usage: caravan alloc status [options] <allocation>

  Display information about existing allocations and their tasks. This command
  can be used to inspect the current status of an allocation, including its
  running status, metadata, and verbose failure messages reported by internal
  subsystems.
""" + CLIENT_OPTIONS_HELP + """
Alloc Status Options:

  -short
    Display short output. Shows only the most recent task event.

  -stats
    Display detailed resource usage statistics.

  -verbose
    Show full information.

  -json
    Output the allocation in its JSON format.
"""


def basic_info(alloc: Allocation, verbose: bool, now_ns: int, tz: tzinfo | None = None) -> str:
    length = id_length(verbose)
    if verbose:
        created, modified = (format_unix_nano(alloc.create_time, tz),
                             format_unix_nano(alloc.modify_time, tz))
    else:
        created, modified = (pretty_time_diff(alloc.create_time, now_ns),
                             pretty_time_diff(alloc.modify_time, now_ns))
    pairs: list[tuple[str, object]] = [
        ("ID", alloc.id), ("Eval ID", limit(alloc.eval_id, length)), ("Name", alloc.name),
        ("Node ID", limit(alloc.node_id, length)), ("Node Name", alloc.node_name),
        ("Job ID", alloc.job_id), ("Job Version", alloc.job_version()),
        ("Client Status", alloc.client_status),
        ("Client Description", alloc.client_description),
        ("Desired Status", alloc.desired_status),
        ("Desired Description", alloc.desired_description),
        ("Created", created), ("Modified", modified),
    ]
    if alloc.next_allocation:
        pairs.append(("Replacement Alloc ID", limit(alloc.next_allocation, length)))
    if verbose and alloc.metrics is not None:
        m = alloc.metrics
        pairs += [("Evaluated Nodes", m.nodes_evaluated), ("Filtered Nodes", m.nodes_filtered),
                  ("Exhausted Nodes", m.nodes_exhausted),
                  ("Allocation Time", go_duration(m.allocation_time)),
                  ("Failures", m.coalesced_failures)]
    return format_kv(pairs)


def allocation_addresses(alloc: Allocation) -> str | None:
    """Nomad's port table: every group port as `*label`, host address -> mapped port."""
    shared = alloc.allocated_resources.shared
    if not shared.networks or not shared.ports:
        return None
    rows = [["Label", "Dynamic", "Address"]]
    for port in shared.ports:
        address = f"{port.host_ip}:{port.value}" + (f" -> {port.to}" if port.to > 0 else "")
        rows.append([f"*{port.label}", "yes", address])
    mode = shared.networks[0].mode
    title = f'Allocation Addresses (mode = "{mode}")' if mode else "Allocation Addresses"
    return f"{title}:\n{format_list(rows)}"


def _lifecycles(alloc: Allocation) -> dict[str, TaskLifecycleConfig | None]:
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    return {t.name: t.lifecycle for t in (group.tasks if group else [])}


def _in_display_order(alloc: Allocation) -> list[tuple[str, TaskState, str]]:
    """(name, state, lifecycle name) as Nomad lists tasks: the ephemeral lifecycle tasks,
    then the sidecars, then the main tasks, each by name."""
    lifecycles = _lifecycles(alloc)

    def rank(name: str) -> tuple[int, str]:
        lc = lifecycles.get(name)
        return (2 if lc is None else 1 if lc.sidecar else 0), name

    return [(name, state, lifecycle_name(lifecycles.get(name)))
            for name, state in sorted((alloc.task_states or {}).items(),
                                      key=lambda item: rank(item[0]))]


def lifecycle_name(lc: TaskLifecycleConfig | None) -> str:
    if lc is None or not (lc.hook or lc.sidecar):
        return "main"
    return lc.hook + (" sidecar" if lc.sidecar else "")


def task_sections(
    alloc: Allocation, stats: AllocResourceUsage | None, show_stats: bool,
    tz: tzinfo | None = None,
) -> list[str]:
    """One block per task: `Task "<t>" is "<state>"`, resources, events."""
    blocks = []
    for name, state, lifecycle in _in_display_order(alloc):
        shown = "" if lifecycle == "main" else f" ({lifecycle})"
        lines = [f'Task "{name}"{shown} is "{state.state}"']
        resources = task_resources_text(alloc, name, stats)
        if resources:
            lines.append(resources)
            usage = verbose_usage_text(stats, name) if show_stats else None
            if usage:
                lines.append("\n" + usage)
        lines.append("\n" + task_events_text(state, tz))
        blocks.append("\n".join(lines))
    return blocks


def short_tasks(alloc: Allocation, tz: tzinfo | None = None) -> str:
    rows: list[list[str]] = [["Name", "State", "Last Event", "Time", "Lifecycle"]]
    for name, state, lifecycle in _in_display_order(alloc):
        last = state.events[-1] if state.events else None
        rows.append([name, state.state, last.type if last else "",
                     format_unix_nano(last.time, tz) if last else "", lifecycle])
    return "Tasks\n" + format_list(rows)


def format_alloc_status(
    alloc: Allocation, stats: AllocResourceUsage | None, *, verbose: bool,
    show_stats: bool, now_ns: int, tz: tzinfo | None = None,
) -> str:
    """The full `alloc status` text (pure)."""
    addresses = allocation_addresses(alloc)
    parts = [basic_info(alloc, verbose, now_ns, tz), *([addresses] if addresses else []),
             *task_sections(alloc, stats, show_stats, tz)]
    if verbose and alloc.metrics is not None:
        lines = format_alloc_metrics(alloc.metrics)
        scores = score_table(alloc.metrics)
        parts.append("\n".join(["Placement Metrics", *lines, *([scores] if scores else [])]))
    return "\n\n".join(parts)


def fetch_stats(client: Client, ui: Ui, alloc: Allocation) -> AllocResourceUsage | None:
    """Live usage from the node; a terminal allocation has none to give."""
    if alloc.client_terminal():
        return None
    try:
        stats, _ = client.allocations.stats(alloc.id)
    except CaravanError as exc:
        ui.error(f"Couldn't retrieve stats: {exc}")
        return None
    return stats


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("short", "stats", "verbose", "json", "ui"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json, verbose = check_output_flags(flags), flags.get_bool("verbose")
    client = make_client(flags)
    if not flags.args and as_json:
        with reported_as("Error querying allocations: "):
            stubs, _ = client.allocations.list()
        ui.output(format_json([a.to_wire() for a in stubs]))
        return 0
    if len(flags.args) != 1:
        raise UsageError("This command takes one of the following argument conditions:\n"
                         " * A single <allocation>\n"
                         " * No arguments, with output format specified")
    check_id_length(flags.args[0], "Identifier must contain at least two characters.")
    _, stubs = alloc_matches(client, flags.args[0])
    if len(stubs) > 1:
        ui.output(multiple_allocs_text(stubs, verbose, ui.now_ns()))
        return 0
    alloc = alloc_info(client, stubs[0])
    if as_json:
        ui.output(format_json(alloc.to_wire()))
        return 0
    if flags.get_bool("short"):
        created = pretty_time_diff(alloc.create_time, ui.now_ns())
        modified = pretty_time_diff(alloc.modify_time, ui.now_ns())
        ui.output(format_kv([("ID", alloc.id), ("Name", alloc.name), ("Created", created),
                             ("Modified", modified)]))
        ui.output("\n" + short_tasks(alloc))
        return 0
    stats = fetch_stats(client, ui, alloc)
    ui.output(format_alloc_status(alloc, stats, verbose=verbose,
                                  show_stats=flags.get_bool("stats"), now_ns=ui.now_ns()))
    return 0
