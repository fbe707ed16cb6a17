"""`caravan acl token create [-name N] [-type client|management] [-policy P]... [-ttl D]`."""

from __future__ import annotations

from caravan.api.acl import ACLTokens
from caravan.cli.acl_format import token_text
from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import format_json
from caravan.durations import format_duration, parse_duration
from caravan.errors import CommandFailed, UsageError
from caravan.structs.acl import ACLToken

HELP = """
Usage: caravan acl token create [options]

  Create is used to issue new ACL tokens. Requires a management token.
""" + CLIENT_OPTIONS_HELP + """
Create Options:

  -name=""
    Sets the human readable name for the ACL token.

  -type="client"
    Sets the type of token. Must be one of "client" (default), or "management".

  -global=false
    Toggles the global mode of the token. Global tokens are replicated to all regions.

  -policy=""
    Specifies a policy to associate with the token. Can be specified multiple times,
    but only with client type tokens.

  -ttl
    Specifies the time-to-live of the created ACL token. This takes the form of
    a time duration such as "5m" and "1h". By default, tokens will be created
    without a TTL and therefore never expire.

  -json
    Output the ACL token information in JSON format.

  The SecretID is shown only here: caravan stores secrets hashed and cannot
  show them again.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.list_flag("policy")
    for name in ("name", "ttl", "t"):
        fs.string_flag(name)
    fs.string_flag("type", "client")
    fs.bool_flag("global")
    fs.bool_flag("json")
    flags = fs.parse(args)
    policies = flags.get_list("policy")
    as_json = check_output_flags(flags)
    if flags.args:
        raise UsageError("This command takes no arguments")
    ttl = ""
    if flags.get_str("ttl"):
        try:
            ttl = format_duration(parse_duration(flags.get_str("ttl")))
        except ValueError as exc:
            raise CommandFailed(f"Failed to parse TTL as time duration: {exc}") from exc
    token = ACLToken(name=flags.get_str("name"), type=flags.get_str("type"),
                     policies=policies or None, global_=flags.get_bool("global"),
                     expiration_ttl=ttl)
    with reported_as("Error creating token: "):
        created = ACLTokens(make_client(flags)).create(token)
    ui.output(format_json(created.to_wire()) if as_json else token_text(created))
    return 0
