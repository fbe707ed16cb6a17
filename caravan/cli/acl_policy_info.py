"""`caravan acl policy info <name>`: one policy with its rules."""

from __future__ import annotations

from caravan.api.acl import ACLPolicies
from caravan.cli.acl_format import policy_text
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
Usage: caravan acl policy info <name>

  Info is used to fetch information on an existing ACL policy.
""" + CLIENT_OPTIONS_HELP + """
Info Options:

  -json
    Output the ACL policy in a JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <name>")
    try:
        policy, _ = ACLPolicies(make_client(flags)).info(flags.args[0])
    except CaravanError as exc:
        raise CommandFailed(f"Error fetching info on ACL policy: {exc}") from exc
    ui.output(format_json(policy.to_wire()) if as_json else policy_text(policy))
    return 0
