"""`caravan acl policy list`: the ACL policies the token may see."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policies_table
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
)
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.formatting import format_json
from caravan.errors import CaravanError

HELP = """
Usage: caravan acl policy list

  List is used to list available ACL policies.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the ACL policies in a JSON format.
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
        policies, _ = ACLPolicies(make_client(flags)).list()
    except CaravanError as exc:
        raise CommandFailed(f"Error listing ACL policies: {exc}") from exc
    ui.output(format_json([p.to_wire() for p in policies]) if as_json
              else policies_table(policies))
    return 0
