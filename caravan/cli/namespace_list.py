"""`caravan namespace list`: the namespaces the token may use."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
)
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.formatting import format_json
from caravan.cli.namespace_format import namespaces_table
from caravan.errors import CaravanError

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
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if flags.args:
        raise UsageError("This command takes no arguments")
    try:
        namespaces, _ = Namespaces(make_client(flags)).list()
    except CaravanError as exc:
        raise CommandFailed(f"Error retrieving namespaces: {exc}") from exc
    ui.output(format_json([n.to_wire() for n in namespaces]) if as_json
              else namespaces_table(namespaces))
    return 0
