"""`caravan node status [<node>]`: the node list, or one node's drivers, resources,
allocations and (with -verbose) attributes and meta."""

from __future__ import annotations

from collections.abc import Sequence
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
from caravan.cli.flags import Flags
from caravan.cli.formatting import (
    format_json,
    format_kv,
    format_list,
    format_rfc3339,
    format_time,
    id_length,
    mib,
    parse_rfc3339,
)
from caravan.cli.listings import alloc_table, node_list_table, node_prefix_table, yes_no
from caravan.cli.lookup import check_id_length, sanitize_uuid_prefix
from caravan.errors import CommandFailed, UsageError
from caravan.structs import Allocation, Node

HELP = """
Usage: caravan node status [options] <node>

  Display status information about a given node. The list of nodes returned
  includes only nodes which jobs may be scheduled to, and includes status and
  other high-level information. If a node ID is passed, information for that
  specific node will be displayed, including its drivers and allocations.
""" + CLIENT_OPTIONS_HELP + """
Node Status Options:

  -self
    Query the status of the local node.

  -short
    Display short output. Used only when a single node is being queried.

  -quiet
    Display only node IDs.

  -verbose
    Display full information, including each driver's health and the node's
    attributes and meta.

  -json
    Output the node in its JSON format.
"""


def _names(values: dict[str, object] | None) -> str:
    return ",".join(sorted(values or {}))


def driver_status(node: Node) -> str:
    """Detected drivers, `name (unhealthy)` for those failing their health check."""
    names = [name if info.healthy else f"{name} (unhealthy)"
             for name, info in node.drivers.items() if info.detected]
    return ",".join(sorted(names))


def attribute_drivers(node: Node) -> str:
    """Drivers from `driver.<name> = 1` attributes (the -short `Drivers` line)."""
    return ",".join(sorted(k.split(".", 1)[1] for k, v in node.attributes.items()
                           if k.count(".") == 1 and k.startswith("driver.") and v == "1"))


def drivers_table(node: Node, tz: tzinfo | None = None) -> str:
    rows: list[list[str]] = [["Driver", "Detected", "Healthy", "Message", "Time"]]
    for name in sorted(node.drivers):
        info = node.drivers[name]
        rows.append([name, yes_no(info.detected), yes_no(info.healthy),
                     info.health_description, format_rfc3339(info.update_time, tz)])
    return format_list(rows)


def allocated_resources(node: Node, running: Sequence[Allocation]) -> str:
    total, reserved = node.node_resources, node.reserved_resources
    cpu_total = total.cpu.cpu_shares - reserved.cpu.cpu_shares
    mem_total = total.memory.memory_mb - reserved.memory.memory_mb
    disk_total = total.disk.disk_mb - reserved.disk.disk_mb
    cpu = mem = disk = 0
    for alloc in running:
        alloc_cpu, alloc_mem = alloc.allocated_resources.totals()
        cpu, mem = cpu + alloc_cpu, mem + alloc_mem
        disk += alloc.allocated_resources.shared.disk_mb
    return format_list([["CPU", "Memory", "Disk", "Alloc Count"],
                        [f"{cpu}/{cpu_total} MHz", f"{mib(mem)}/{mib(mem_total)}",
                         f"{mib(disk)}/{mib(disk_total)}", str(len(running))]])


def drain_text(node: Node) -> str:
    """Nomad's `Drain` line: the strategy while draining (force, deadline, system jobs)."""
    strategy = node.drain_strategy
    if strategy is None:
        return yes_no(node.drain)
    if strategy.deadline < 0:
        parts = ["true", "force drain"]
    elif strategy.force_deadline.startswith("0001-"):
        parts = ["true", "no deadline"]
    else:
        parts = ["true", f"{format_time(parse_rfc3339(strategy.force_deadline))} deadline"]
    if strategy.ignore_system_jobs:
        parts.append("ignoring system jobs")
    return "; ".join(parts)


def _header(node: Node) -> list[tuple[str, object]]:
    return [("ID", node.id), ("Name", node.name), ("Node Pool", node.node_pool),
            ("Class", node.node_class), ("DC", node.datacenter), ("Drain", drain_text(node)),
            ("Eligibility", node.scheduling_eligibility), ("Status", node.status),
            ("CSI Controllers", ""), ("CSI Drivers", "")]


def format_node_status(
    node: Node, allocs: Sequence[Allocation], verbose: bool, short: bool, now_ns: int,
    tz: tzinfo | None = None,
) -> str:
    """The full `node status <node>` text (pure)."""
    length = id_length(verbose)
    header = _header(node)
    volumes = _names(dict(node.host_volumes or {}))
    if short:
        header += [("Host Volumes", volumes), ("Host Networks", ""), ("CSI Volumes", ""),
                   ("Drivers", attribute_drivers(node))]
        return format_kv(header) + "\n\nAllocations\n" + alloc_table(allocs, False, length,
                                                                      now_ns, tz)
    if not verbose:
        header += [("Host Volumes", volumes), ("Host Networks", ""), ("CSI Volumes", ""),
                   ("Driver Status", driver_status(node))]
    parts = [format_kv(header)]
    if verbose and node.host_volumes:
        parts.append("Host Volumes\n" + format_list(
            [["Name", "ReadOnly", "Source"]] + [[n, yes_no(v.read_only), v.path]
                                               for n, v in sorted(node.host_volumes.items())]))
    if verbose:
        parts.append("Drivers\n" + drivers_table(node, tz))
    running = [a for a in allocs if a.client_status == "running"]
    parts.append("Allocated Resources\n" + allocated_resources(node, running))
    parts.append("Allocations\n" + alloc_table(allocs, verbose, length, now_ns, tz))
    if verbose:
        parts.append("Attributes\n" + format_kv(sorted(node.attributes.items())))
        parts.append("Meta\n" + format_kv(sorted(node.meta.items())))
    return "\n\n".join(parts)


def _list(client: Client, ui: Ui, flags: Flags, as_json: bool) -> int:
    verbose, quiet = flags.get_bool("verbose"), flags.get_bool("quiet")
    if quiet and (verbose or as_json):
        raise CommandFailed("-quiet cannot be used with -verbose or -json")
    with reported_as("Error querying node status: "):
        nodes, _ = client.nodes.list()
    if as_json:
        ui.output(format_json([n.to_wire() for n in nodes]))
    elif not nodes:
        ui.output("No nodes registered")
    elif quiet:
        ui.output("\n".join(n.id for n in nodes))
    else:
        ui.output(node_list_table(nodes, verbose, id_length(verbose)))
    return 0


def _local_node_id(client: Client) -> str:
    with reported_as("Error querying agent info: "):
        info, _ = client.agent.self()
    if "client" not in info.stats:
        raise CommandFailed("Caravan not running in client mode")
    node_id = info.node_id()
    if not node_id:
        raise CommandFailed("Failed to determine node ID")
    return node_id


def _find_node(client: Client, node_id: str, verbose: bool) -> Node:
    check_id_length(node_id, "Identifier must contain at least two characters.")
    prefix = sanitize_uuid_prefix(node_id)
    with reported_as("Error querying node info: "):
        nodes, _ = client.nodes.list(prefix=prefix)
        if len(nodes) == 1:
            node, _ = client.nodes.info(nodes[0].id)
            return node
    if not nodes:
        raise CommandFailed(f'No node(s) with prefix "{prefix}" found')
    table = node_prefix_table(nodes, id_length(verbose))
    raise CommandFailed(f"Prefix matched multiple nodes\n\n{table}")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("short", "os", "quiet", "verbose", "allocs", "self", "stats", "json", "ui"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    if len(flags.args) > 1:
        raise UsageError("This command takes either one or no arguments")
    as_json, verbose = check_output_flags(flags), flags.get_bool("verbose")
    client = make_client(flags)
    if not flags.args and not flags.get_bool("self"):
        return _list(client, ui, flags, as_json)
    node_id = _local_node_id(client) if flags.get_bool("self") else flags.args[0]
    node = _find_node(client, node_id, verbose)
    if as_json:
        ui.output(format_json(node.to_wire()))
        return 0
    with reported_as("Error querying node allocations: "):
        allocs, _ = client.nodes.allocations(node.id)
    ui.output(format_node_status(node, allocs, verbose, flags.get_bool("short"), ui.now_ns()))
    return 0
