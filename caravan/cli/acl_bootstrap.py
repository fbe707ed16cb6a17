"""`caravan acl bootstrap [<path>]`: create the initial management token (once)."""

from __future__ import annotations

import sys
from pathlib import Path

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
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan acl bootstrap [options] [<path>]

  Bootstrap is used to bootstrap the ACL system and get an initial token.

  With no argument the agent generates the bootstrap token. To choose its
  SecretID (a UUID), give a file holding it, or "-" to read it from stdin.
  Bootstrapping works once; see the acl-bootstrap-reset file to do it again.
""" + CLIENT_OPTIONS_HELP + """
Bootstrap Options:

  -json
    Output the bootstrap response in JSON format.
"""


def _secret(path: str) -> str:
    try:
        raw = sys.stdin.read() if path == "-" else Path(path).read_text() if path else ""
    except OSError as exc:
        raise CommandFailed(f"Error reading provided token: {exc}") from exc
    return raw.removesuffix("\n")


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) > 1:
        raise UsageError("This command takes up to one argument")
    secret = _secret(flags.args[0]) if flags.args else ""
    with reported_as("Error bootstrapping: "):
        token = ACLTokens(make_client(flags)).bootstrap(secret)
    ui.output(format_json(token.to_wire()) if as_json else token_text(token))
    return 0
