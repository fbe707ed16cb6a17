"""`caravan acl policy info <name>`: one policy with its rules."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policy_text
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    fetched,
    make_client,
    output_flags,
)
from caravan.cli.formatting import format_json

HELP = """
Usage: caravan acl policy info <name>

  Info is used to fetch information on an existing ACL policy.
""" + CLIENT_OPTIONS_HELP + """
Info Options:

  -json
    Output the ACL policy in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(args, nargs=1, usage="This command takes one argument: <name>")
    policy, _ = fetched("fetching info on ACL policy",
                        lambda: ACLPolicies(make_client(flags)).info(flags.args[0]))
    ui.output(format_json(policy.to_wire()) if as_json else policy_text(policy))
    return 0
