"""`caravan node drain -enable|-disable|-monitor [options] <node>`: move every allocation
off a node before maintenance (Nomad's flags, checks, prompt and monitor output)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags
from caravan.cli.node_drain_monitor import monitor_drain, say
from caravan.cli.node_lookup import find_node_id
from caravan.cli.node_status import _local_node_id
from caravan.durations import parse_duration
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.structs import Node
from caravan.structs.drain import DrainSpec

if TYPE_CHECKING:
    from caravan.api import Client

_S = 1_000_000_000
DEFAULT_DEADLINE = 3600 * _S   # Nomad's: one hour

HELP = """
Usage: caravan node drain [options] <node>

  Toggles node draining on a specified node. It is required that either
  -enable or -disable is specified, but not both. The -self flag is useful to
  drain the local node.
""" + CLIENT_OPTIONS_HELP + """
Node Drain Options:

  -disable
    Disable draining for the specified node.

  -enable
    Enable draining for the specified node.

  -deadline <duration>
    Set the deadline by which all allocations must be moved off the node.
    Remaining allocations after the deadline are forced removed from the node.
    If unspecified, a default deadline of one hour is applied.

  -detach
    Return immediately instead of entering monitor mode.

  -monitor
    Enter monitor mode directly without modifying the drain status.

  -force
    Force remove allocations off the node immediately.

  -no-deadline
    No deadline allows the allocations to drain off the node without being force
    stopped after a certain deadline.

  -ignore-system
    Ignore system allows the drain to complete without stopping system job
    allocations. By default system jobs are stopped last.

  -keep-ineligible
    Keep ineligible will maintain the node's scheduling ineligibility even if
    the drain is being disabled.

  -self
    Set the drain status of the local node.

  -m <message>
    Message for the drain update operation.

  -meta <key>=<value>
    Custom metadata to store on the drain operation, can be used multiple times.

  -yes
    Automatic yes to prompts.
"""

_BOOLS = ("enable", "disable", "detach", "force", "no-deadline", "ignore-system",
          "keep-ineligible", "self", "yes", "monitor")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in _BOOLS:
        fs.bool_flag(name)
    fs.string_flag("deadline")
    fs.string_flag("m")
    fs.list_flag("meta")
    flags = fs.parse(args)
    _check(flags)
    deadline = _deadline(flags)
    client = make_client(flags)
    node, typed = _find(client, flags)
    enable, monitor = flags.get_bool("enable"), flags.get_bool("monitor")
    ignore_system = flags.get_bool("ignore-system")
    if monitor:
        if node.drain_strategy is None:
            ui.error("No drain strategy set")
            return 0
        say(ui, f'Monitoring node "{node.id}": Ctrl-C to detach monitoring')
        monitor_drain(client, ui, node.id, ignore_system)
        return 0
    if not _confirmed(ui, flags, node, typed):
        return 0
    spec = DrainSpec(deadline=deadline, ignore_system_jobs=ignore_system) if enable else None
    with reported_as("Error updating drain specification: "):
        client.nodes.update_drain(node.id, spec, meta=_meta(flags, node, enable),
                                  mark_eligible=not flags.get_bool("keep-ineligible"))
    if not enable or flags.get_bool("detach"):
        ui.output(f'Node "{node.id}" drain strategy {"set" if enable else "unset"}')
        return 0
    say(ui, "Ctrl-C to stop monitoring: will not cancel the node drain")
    say(ui, f'Node "{node.id}" drain strategy set')
    monitor_drain(client, ui, node.id, ignore_system)
    return 0


def _check(flags: Flags) -> None:
    enable, disable, monitor = (flags.get_bool(n) for n in ("enable", "disable", "monitor"))
    force, no_deadline = flags.get_bool("force"), flags.get_bool("no-deadline")
    if monitor and (enable or disable):
        raise UsageError("The -monitor flag cannot be used with the '-enable' or '-disable' flags")
    if (enable and disable) or not (monitor or enable or disable):
        raise UsageError("Either the '-enable' or '-disable' flag must be set, unless using '-monitor'")
    if len(flags.args) != (0 if flags.get_bool("self") else 1):
        raise UsageError("Node ID must be specified if -self isn't being used")
    if disable and (flags.get_str("deadline") or force or no_deadline
                    or flags.get_bool("ignore-system")):
        raise UsageError("-disable can't be combined with flags configuring drain strategy")
    if flags.get_str("deadline") and (force or no_deadline):
        raise UsageError("-deadline can't be combined with -force or -no-deadline")
    if force and no_deadline:
        raise UsageError("-force and -no-deadline are mutually exclusive")


def _deadline(flags: Flags) -> int:
    if flags.get_bool("force"):
        return -_S
    if flags.get_bool("no-deadline"):
        return 0
    text = flags.get_str("deadline")
    if not text:
        return DEFAULT_DEADLINE
    try:
        value = parse_duration(text)
    except (CaravanError, ValueError) as e:
        raise CommandFailed(f'Failed to parse deadline "{text}": {e}') from None
    if value <= 0:
        raise CommandFailed("A positive drain duration must be given")
    return value


def _find(client: Client, flags: Flags) -> tuple[Node, str]:
    """The node, and its ID as typed (a prefix asks for confirmation)."""
    typed = _local_node_id(client) if flags.get_bool("self") else flags.args[0].strip()
    node_id = find_node_id(client, typed, "Error toggling drain mode: ")
    with reported_as("Error toggling drain mode: "):
        node, _ = client.nodes.info(node_id)
    return node, typed


def _confirmed(ui: Ui, flags: Flags, node: Node, typed: str) -> bool:
    if flags.get_bool("self") or typed == node.id or flags.get_bool("yes"):
        return True
    verb = "enable" if flags.get_bool("enable") else "disable"
    ui.output(f'Are you sure you want to {verb} drain mode for node "{node.id}"? [y/N]')
    answer = sys.stdin.readline().strip()
    if answer == "" or answer.lower().startswith("n"):
        ui.output("Canceling drain toggle")
        return False
    if answer.lower().startswith("y") and len(answer) > 1:
        ui.output("For confirmation, an exact ‘y’ is required.")
        return False
    if answer != "y":
        raise CommandFailed("No confirmation detected. For confirmation, an exact 'y' is required.")
    return True


def _meta(flags: Flags, node: Node, enable: bool) -> dict[str, str]:
    meta: dict[str, str] = {}
    if not enable and node.last_drain is not None and node.last_drain.meta:
        meta = dict(node.last_drain.meta)
    message = flags.get_str("m")
    if message:
        meta["message" if enable else "cancel_message"] = message
    for item in flags.get_list("meta"):
        if item:
            key, _, value = item.partition("=")
            meta[key] = value
    return meta
