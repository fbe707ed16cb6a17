"""`caravan node eligibility -enable|-disable [-self] <node>`: toggle whether the
scheduler may place new allocations on a node (what runs there stays)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import id_length
from caravan.cli.listings import node_prefix_table
from caravan.cli.lookup import sanitize_uuid_prefix
from caravan.cli.node_status import _local_node_id
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan node eligibility [options] <node>

  Toggles the nodes scheduling eligibility. When a node is marked as ineligible,
  no new allocations will be placed on it but existing allocations will remain.
  To remove existing allocations, use the node drain command.
""" + CLIENT_OPTIONS_HELP + """
Node Eligibility Options:

  -enable
    Enable scheduling eligibility.

  -disable
    Disable scheduling eligibility.

  -self
    Set the eligibility of the local node.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("enable", "disable", "self"):
        fs.bool_flag(name)
    flags = fs.parse(args)
    enable, disable = flags.get_bool("enable"), flags.get_bool("disable")
    if enable == disable:
        raise UsageError("Either the '-enable' or '-disable' flag must be set")
    if len(flags.args) != (0 if flags.get_bool("self") else 1):
        raise UsageError("Node ID must be specified if -self isn't being used")
    client = make_client(flags)
    node_id = _local_node_id(client) if flags.get_bool("self") else flags.args[0].strip()
    if len(node_id) == 1:
        raise CommandFailed("Identifier must contain at least two characters.")
    prefix = sanitize_uuid_prefix(node_id)
    with reported_as("Error updating scheduling eligibility: "):
        nodes, _ = client.nodes.list(prefix=prefix)
    if not nodes:
        raise CommandFailed(f'No node(s) with prefix or id "{node_id}" found')
    if len(nodes) > 1:
        raise CommandFailed("Prefix matched multiple nodes\n\n"
                            + node_prefix_table(nodes, id_length(True)))
    node = nodes[0]
    with reported_as("Error updating scheduling eligibility: "):
        client.nodes.toggle_eligibility(node.id, enable)
    state = "eligible" if enable else "ineligible"
    ui.output(f'Node "{node.id}" scheduling eligibility set: {state} for scheduling')
    return 0
