"""`caravan alloc checks <alloc>`: the latest result of each of its health checks."""

from __future__ import annotations

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import format_json, format_list, format_unix_nano
from caravan.cli.lookup import resolve_alloc
from caravan.errors import UsageError
from caravan.structs import CheckQueryResult

HELP = """
Usage: caravan alloc checks [options] <allocation>

  Outputs the latest health check status information for services in the
  allocation using the Nomad service discovery provider.
""" + CLIENT_OPTIONS_HELP + """
Checks Specific Options:

  -json
    Output the latest health check status information in a JSON format.

  -verbose
    Show full information.
"""


def checks_text(checks: dict[str, CheckQueryResult]) -> str:
    blocks = [f"Status of {len(checks)} Nomad Service Checks", ""]
    for check in sorted(checks.values(), key=lambda c: (c.group, c.task, c.service, c.check)):
        rows = [["ID", "=", check.id], ["Name", "=", check.check], ["Group", "=", check.group],
                ["Task", "=", check.task or "(group)"], ["Service", "=", check.service],
                ["Status", "=", check.status]]
        if check.status_code > 0:
            rows.append(["StatusCode", "=", str(check.status_code)])
        rows += [["Mode", "=", check.mode],
                 ["Timestamp", "=", format_unix_nano(check.timestamp * 1_000_000_000)],
                 ["Output", "=", check.output.strip()]]
        blocks += [format_list(rows), ""]
    return "\n".join(blocks).rstrip("\n")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("json", "verbose"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <alloc-id>")
    client = make_client(flags)
    alloc = resolve_alloc(client, flags.args[0], flags.get_bool("verbose"), ui.now_ns())
    with reported_as("Error querying allocation checks: "):
        checks, _ = client.allocations.checks(alloc.id)
    ui.output(format_json({k: v.to_wire() for k, v in checks.items()}) if as_json
              else checks_text(checks))
    return 0
