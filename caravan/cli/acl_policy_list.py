"""`caravan acl policy list`: the ACL policies the token may see."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policies_table
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    fetched,
    make_client,
    output_flags,
)
from caravan.cli.formatting import format_json

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
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    policies, _ = fetched("listing ACL policies", ACLPolicies(make_client(flags)).list)
    ui.output(format_json([p.to_wire() for p in policies]) if as_json
              else policies_table(policies))
    return 0
