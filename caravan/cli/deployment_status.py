"""`caravan deployment status <deployment>`: one deployment's groups and progress."""

from __future__ import annotations

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.deployment_format import format_deployment
from caravan.cli.deployment_lookup import deployment_by_prefix, one_deployment_argument
from caravan.cli.deployment_monitor import DeploymentMonitor
from caravan.cli.formatting import format_json, id_length
from caravan.cli.listings import alloc_stub_table

HELP = """
Usage: caravan deployment status [options] <deployment id>

  Status is used to display the status of a deployment. The status will display
  the number of desired changes as well as the currently applied changes.
""" + CLIENT_OPTIONS_HELP + """
Status Options:

  -verbose
    Display full information.

  -json
    Output the deployment in its JSON format.

  -monitor
    Enter monitor mode to poll for updates to the deployment status.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("verbose", "json", "monitor"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json, verbose = check_output_flags(flags), flags.get_bool("verbose")
    prefix = one_deployment_argument(flags.args)
    client = make_client(flags)
    length = id_length(verbose)
    d = deployment_by_prefix(client, prefix, length)
    if as_json:
        ui.output(format_json(d.to_wire()))
        return 0
    if flags.get_bool("monitor"):
        status = DeploymentMonitor(client, ui, length, verbose=verbose).monitor(d.id)
        return 0 if status == "successful" else 1
    text = format_deployment(d, length)
    if verbose:
        with reported_as("Error retrieving allocations: "):
            allocs, _ = client.deployments.allocations(d.id)
        text += "\n\nAllocations\n" + alloc_stub_table(allocs, True, length, ui.now_ns())
    ui.output(text)
    return 0
