"""`caravan namespace list`: the namespaces the token may use."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    fetched,
    make_client,
    output_flags,
)
from caravan.cli.formatting import format_json
from caravan.cli.namespace_format import namespaces_table

HELP = """
Usage: caravan namespace list [options]

  List is used to list available namespaces.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the namespaces in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    namespaces, _ = fetched("retrieving namespaces", Namespaces(make_client(flags)).list)
    ui.output(format_json([n.to_wire() for n in namespaces]) if as_json
              else namespaces_table(namespaces))
    return 0
