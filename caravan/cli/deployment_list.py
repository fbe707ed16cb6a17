"""`caravan deployment list`: every deployment, newest first."""

from __future__ import annotations

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.deployment_format import deployments_table
from caravan.cli.formatting import format_json, id_length
from caravan.errors import UsageError

HELP = """
Usage: caravan deployment list [options]

  List is used to list the set of deployments tracked by caravan.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the deployments in a JSON format.

  -verbose
    Display full information.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.bool_flag("verbose")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json, verbose = check_output_flags(flags), flags.get_bool("verbose")
    if flags.args:
        raise UsageError("This command takes no arguments")
    client = make_client(flags)
    with reported_as("Error retrieving deployments: "):
        found, _ = client.deployments.list()
    if as_json:
        ui.output(format_json([d.to_wire() for d in found]))
        return 0
    ui.output(deployments_table(found, id_length(verbose)))
    return 0
