"""`caravan acl token self`: the token this command runs with (-token, CARAVAN_TOKEN)."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
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
Usage: caravan acl token self

  Self is used to fetch information about the currently set ACL token.
""" + CLIENT_OPTIONS_HELP + """
Self Options:

  -json
    Output the ACL token in a JSON format.
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
    client = make_client(flags)
    if not client.token:
        raise CommandFailed("No token present in the environment or set via the CLI flag")
    try:
        token, _ = ACLTokens(client).self()
    except CaravanError as exc:
        raise CommandFailed(f"Error fetching self token: {exc}") from exc
    ui.output(format_json(token.to_wire()) if as_json else token_text(token))
    return 0
