"""`caravan var get [-item K] [-out F] [-template T] <path>`: one variable."""

from __future__ import annotations

from caravan.api import APIError
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.var_format import WILDCARD, check_out, default_out, render
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan var get [options] <path>

  The 'var get' command is used to get the contents of an existing variable.

  If ACLs are enabled, this command requires a token with the 'variables:read'
  capability for the target variable's namespace and path. Inside a task with the
  Task API socket (secrets/api.sock) no address or token is needed.
""" + CLIENT_OPTIONS_HELP + """
Get Options:

  -item <item key>
     Print only the value of the given item, without a trailing newline.

  -out ( go-template | hcl | json | none | table )
     Format to render the variable in. Defaults to "table" when stdout is a
     terminal and to "json" when stdout is redirected.

  -template
     Template to render output with. Required when output is "go-template".
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("item", "out", "template"):
        fs.string_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <path>")
    out = flags.get_str("out") or default_out("table")
    check_out(out, flags.get_str("template"))
    if flags.get_str("namespace") == "*":
        raise CommandFailed(WILDCARD)
    try:
        var, _ = make_client(flags).variables.read(flags.args[0])
    except APIError as err:
        if err.status == 404:
            raise CommandFailed("Variable not found") from err
        raise CommandFailed(f"Error retrieving variable: {err}") from err
    item = flags.get_str("item")
    if item:
        if item not in var.items:
            raise CommandFailed(f'Variable does not contain "{item}" item')
        ui.write_stdout(var.items[item].encode())
        return 0
    if out != "none":
        ui.output(render(var, out, flags.get_str("template")))
    return 0
