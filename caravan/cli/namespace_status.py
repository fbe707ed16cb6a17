"""`caravan namespace status <namespace>`: one namespace, found by name or prefix."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    make_client,
    output_flags,
)
from caravan.cli.errors import CommandFailed
from caravan.cli.formatting import format_json
from caravan.cli.namespace_format import namespace_text, namespaces_table
from caravan.errors import CaravanError
from caravan.structs.acl import Namespace

HELP = """
Usage: caravan namespace status [options] <namespace>

  Status is used to view the status of a particular namespace.
""" + CLIENT_OPTIONS_HELP + """
Status Options:

  -json
    Output the namespace in its JSON format.
"""


def find(namespaces: Namespaces, name: str) -> Namespace:
    """The namespace named `name`, else the only one it is a prefix of."""
    try:
        found, _ = namespaces.list(prefix=name)
    except CaravanError as exc:
        raise CommandFailed(f"Error retrieving namespaces: {exc}") from exc
    exact = [n for n in found if n.name == name]
    if exact or len(found) == 1:
        return (exact or found)[0]
    if not found:
        raise CommandFailed(f'Error retrieving namespaces: Namespace "{name}" matched no '
                            "namespaces")
    raise CommandFailed(f"Prefix matched multiple namespaces\n\n{namespaces_table(found)}")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(
        args, nargs=1, usage="This command takes one argument: <namespace>")
    ns = find(Namespaces(make_client(flags)), flags.args[0])
    if as_json:
        ui.output(format_json(ns.to_wire()))
        return 0
    ui.output(namespace_text(ns))
    return 0
