"""One node from an ID or unique prefix, with Nomad's messages (`lookupNodeID`)."""

from __future__ import annotations

from caravan.api import Client
from caravan.cli.common import reported_as
from caravan.cli.formatting import id_length
from caravan.cli.listings import node_prefix_table
from caravan.cli.lookup import sanitize_uuid_prefix
from caravan.errors import CommandFailed


def find_node_id(client: Client, typed: str, error_prefix: str) -> str:
    typed = typed.strip()
    if len(typed) == 1:
        raise CommandFailed("Identifier must contain at least two characters.")
    with reported_as(error_prefix):
        nodes, _ = client.nodes.list(prefix=sanitize_uuid_prefix(typed))
    if not nodes:
        raise CommandFailed(f'No node(s) with prefix or id "{typed}" found')
    if len(nodes) > 1:
        raise CommandFailed("Prefix matched multiple nodes\n\n"
                            + node_prefix_table(nodes, id_length(True)))
    return nodes[0].id
