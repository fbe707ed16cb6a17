"""`caravan namespace list`: the namespaces the token may use."""

from __future__ import annotations

from caravan.api.namespaces import Namespaces
from caravan.cli.common import CLIENT_OPTIONS_HELP
from caravan.cli.namespace_format import namespaces_table
from caravan.cli.object_commands import ListCommand

HELP = """
Usage: caravan namespace list [options]

  List is used to list available namespaces.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the namespaces in a JSON format.
"""


run = ListCommand("Error retrieving namespaces: ", lambda client: Namespaces(client).list()[0],
                  lambda namespaces, _: namespaces_table(namespaces)).run
