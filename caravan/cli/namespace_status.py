"""`caravan namespace status <namespace>`: one namespace, found by name or prefix."""

from __future__ import annotations

from caravan.api import Client
from caravan.api.namespaces import Namespaces
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.namespace_format import namespace_text, namespaces_table
from caravan.cli.object_commands import InfoCommand
from caravan.errors import CommandFailed
from caravan.structs.acl import Namespace

HELP = """
Usage: caravan namespace status [options] <namespace>

  Status is used to view the status of a particular namespace.
""" + CLIENT_OPTIONS_HELP + """
Status Options:

  -json
    Output the namespace in its JSON format.
"""


def find(client: Client, name: str) -> Namespace:
    """The namespace named `name`, else the only one it is a prefix of."""
    found, _ = Namespaces(client).list(prefix=name)
    exact = [n for n in found if n.name == name]
    if exact or len(found) == 1:
        return (exact or found)[0]
    if not found:
        raise CommandFailed(f'Error retrieving namespaces: Namespace "{name}" matched no '
                            "namespaces")
    raise CommandFailed(f"Prefix matched multiple namespaces\n\n{namespaces_table(found)}")


run = InfoCommand("<namespace>", "Error retrieving namespaces: ", find, namespace_text).run
