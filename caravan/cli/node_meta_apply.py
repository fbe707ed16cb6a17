"""`caravan node meta apply [-node-id <node>] [-unset k1,k2] key=value...`: set or unset
a node's dynamic metadata (kept by the client across restarts, sent to the servers,
usable in constraints as `${meta.<key>}`)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.node_lookup import find_node_id
from caravan.errors import UsageError

HELP = """
Usage: caravan node meta apply [-node-id ...] [-unset ...] key1=value1 ... kN=vN

  Modify a node's metadata. This command only applies to client agents, and can
  be used to update the scheduling metadata the node registers.

  Changes are batched and may take up to 10 seconds to propagate to the
  servers and affect any scheduling decisions. Changes are persisted and
  survive agent restarts.
""" + CLIENT_OPTIONS_HELP + """
Node Meta Apply Options:

  -node-id
    Updates metadata on the specified node. If not specified the node receiving
    the request will be used by default.

  -unset key1,...,keyN
    Unset the command separated list of keys.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("node-id")
    fs.string_flag("unset")
    flags = fs.parse(args)
    unset = flags.get_str("unset")
    if not unset and not flags.args:
        raise UsageError("Must specify -unset or at least 1 key=value pair")
    client = make_client(flags)
    node_id = flags.get_str("node-id")
    if node_id:
        node_id = find_node_id(client, node_id, "Error looking up node: ")
    meta: dict[str, str | None] = {}
    for pair in flags.args:
        key, _, value = pair.partition("=")
        meta[key] = value
    meta.update({key: None for key in unset.split(",") if key})
    with reported_as("Error applying dynamic node metadata: "):
        client.nodes.meta_apply(node_id, meta)
    return 0
