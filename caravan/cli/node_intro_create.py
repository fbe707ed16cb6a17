"""`caravan node intro create`: a client introduction token for a new node."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.formatting import format_json
from caravan.durations import parse_duration
from caravan.errors import CaravanError

HELP = """
Usage: caravan node intro create [options]

  Generates a new node introduction token. This token is used to authenticate
  a new caravan client node to the cluster: give it to the client agent with
  -client-intro-token, CARAVAN_CLIENT_INTRO_TOKEN (or NOMAD_CLIENT_INTRO_TOKEN),
  or the file <data_dir>/client/intro_token.jwt.

  If ACLs are enabled, this command requires a token with the 'node:write'
  capability.
""" + CLIENT_OPTIONS_HELP + """
Create Options:

  -node-name
    The name of the node to which the introduction token will be scoped. If not
    specified, the value will be left empty.

  -node-pool
    The node pool to which the introduction token will be scoped. If not
    specified, the value "default" will be used.

  -ttl
    The TTL to apply to the introduction token. If not specified, the server
    configured default value will be used.

  -json
    Output the response object in JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("ttl", "node-name", "node-pool", "t"):
        fs.string_flag(name)
    fs.bool_flag("json")
    flags = fs.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    if flags.get_str("t"):
        raise CommandFailed("Template formatting (-t) is not supported by caravan; use -json")
    ttl_s = 0.0
    if flags.get_str("ttl"):
        try:
            ttl_s = parse_duration(flags.get_str("ttl")) / 1e9
        except ValueError as exc:
            raise CommandFailed(f"Error parsing TTL: {exc}") from exc
    try:
        jwt = make_client(flags).acl_identity.create_client_introduction_token(
            ttl_s, flags.get_str("node-name"), flags.get_str("node-pool"))
    except CaravanError as exc:
        raise CommandFailed(f"Error generating introduction token: {exc}") from exc
    if flags.get_bool("json"):
        ui.output(format_json({"JWT": jwt}))
    else:
        ui.output(f"Successfully generated client introduction token:\n\n{jwt}")
    return 0
