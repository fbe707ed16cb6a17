"""`caravan var list [-out F] [<prefix>]`: the variables the token may list."""

from __future__ import annotations

import json

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import format_list, format_unix_nano
from caravan.cli.var_format import check_out, default_out
from caravan.errors import CommandFailed, UsageError
from caravan.structs.variables import VariableMetadata

LIST_FORMATS = ("go-template", "json", "table", "terse")

HELP = """
Usage: caravan var list [options] <prefix>

  List is used to list available variables. Supplying an optional prefix,
  filters the list to variables having a path starting with the prefix.

  If ACLs are enabled, this command will only return variables stored in
  namespaces and paths where the token has the 'variables:list' capability.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -out (go-template | json | table | terse )
    Format to render the list in. Defaults to "table" when stdout is a terminal
    and "json" when the output is redirected. "terse" prints only the paths
    (namespace|path with -namespace=*).

  -template
    Template to render output with. Required when format is "go-template".
"""


def _wire(meta: VariableMetadata) -> dict[str, object]:
    return {"Namespace": meta.namespace, "Path": meta.path, "CreateIndex": meta.create_index,
            "ModifyIndex": meta.modify_index, "CreateTime": meta.create_time,
            "ModifyTime": meta.modify_time}


def table(listed: list[VariableMetadata]) -> str:
    if not listed:
        return "No matching variables found"
    rows: list[list[object]] = [["Namespace", "Path", "Last Updated"]]
    rows += [[v.namespace, v.path, format_unix_nano(v.modify_time)]
             for v in sorted(listed, key=lambda v: (v.namespace, v.path))]
    return format_list(rows)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("out", "template"):
        fs.string_flag(name)
    flags = fs.parse(args)
    if len(flags.args) > 1:
        raise UsageError("This command takes flags and either no arguments or one: <prefix>")
    out = flags.get_str("out") or default_out("table")
    check_out(out, flags.get_str("template"), LIST_FORMATS)
    prefix = flags.args[0] if flags.args else ""
    with reported_as("Error retrieving vars: "):
        listed, _ = make_client(flags).variables.list(prefix)
    if out == "json":
        ui.output(json.dumps([_wire(v) for v in listed], indent=2))
    elif out == "terse":
        wildcard = flags.get_str("namespace") == "*"
        ui.output("\n".join(f"{v.namespace}|{v.path}" if wildcard else v.path
                            for v in listed))
    elif out == "go-template":
        from caravan.gotemplate import TemplateError, render

        try:
            ui.output(render(flags.get_str("template"), [_wire(v) for v in listed]))
        except TemplateError as err:
            raise CommandFailed(str(err)) from err
    else:
        ui.output(table(listed))
    return 0
