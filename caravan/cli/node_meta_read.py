"""`caravan node meta read [-node-id <node>] [-json]`: a node's metadata, merged, dynamic
(`<unset>` for a hidden static key) and static, as Nomad prints it."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import format_json, format_kv
from caravan.cli.node_lookup import find_node_id
from caravan.structs.node_meta import NodeMetaResponse

HELP = """
Usage: caravan node meta read [-json] [-node-id ...]

  Read a node's metadata. This command only works on client agents. The node
  status command can be used to retrieve node metadata from any agent.
""" + CLIENT_OPTIONS_HELP + """
Node Meta Read Options:

  -node-id
    Reads metadata from the specified node. If not specified the node receiving
    the request will be used by default.

  -json
    Output the node metadata in its JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("node-id")
    fs.bool_flag("json")
    flags = fs.parse(args)
    client = make_client(flags)
    node_id = flags.get_str("node-id")
    if node_id:
        node_id = find_node_id(client, node_id, "Error looking up node: ")
    with reported_as("Error reading dynamic node metadata: "):
        meta, _ = client.nodes.meta_read(node_id)
    if flags.get_bool("json"):
        ui.output(format_json(meta.to_wire()))
        return 0
    ui.output(format_meta(meta))
    return 0


def format_meta(meta: NodeMetaResponse) -> str:
    dynamic = [(k, "<unset>" if v is None else v) for k, v in sorted(meta.dynamic.items())]
    return "\n".join([
        "All Meta", _pairs(sorted(meta.meta.items())), "", "Dynamic Meta", _pairs(dynamic),
        "", "Static Meta", _pairs(sorted(meta.static.items()))])


def _pairs(items: list[tuple[str, str]]) -> str:
    return format_kv([(k, v) for k, v in items if k])
