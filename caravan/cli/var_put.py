"""`caravan var put [options] <path> [@spec | -] [key=value ...]`: create or replace.

As Nomad: without -force or -check-index the write is a check-and-set against the
specification's ModifyIndex (0 for a new variable), so an existing variable is not
overwritten by accident. A value `@file` is that file's contents, `-` is stdin, and
an empty value removes the key from the specification.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from caravan.api.variables import VariableConflict
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.var_format import (
    WILDCARD,
    cas_conflict_text,
    check_out,
    default_out,
    parse_check_index,
    render,
)
from caravan.errors import CaravanError, CommandFailed, InvalidInput, UsageError
from caravan.structs.variables import Variable

HELP = """
Usage: caravan var put [options] <variable spec file reference> [<key>=<value>]...
       caravan var put [options] <path to store variable> [<variable spec file reference>] [<key>=<value>]...

  The 'var put' command is used to create or update an existing variable.
  A whole specification comes from stdin ("-", with -in for its format) or an
  @-prefixed file; items may also be given as key=value pairs, whose value may be
  a string, an @-prefixed file reference, or '-' for stdin. Pairs supersede the
  specification; an empty value removes that item.

  If ACLs are enabled, this command requires the 'variables:write' capability
  for the destination namespace and path.
""" + CLIENT_OPTIONS_HELP + """
Var put Options:

  -check-index
     If set, the variable is only acted upon if the server-side version's index
     matches the provided value. Overrides the specification's modify index.

  -force
     Perform this operation regardless of the state or index of the variable
     on the server-side.

  -in (hcl | json)
     Parser to use for a specification from stdin or of unknown extension.
     Defaults to "json".

  -out (go-template | hcl | json | none | table)
     Format to render the created or updated variable. Defaults to "none" when
     stdout is a terminal and "json" when the output is redirected.

  -template
     Template to render output with. Required when format is "go-template".

  -verbose
     Provides additional information via standard error.
"""


def _is_ref(arg: str) -> bool:
    return arg == "-" or arg.startswith("@")


def _read(arg: str) -> bytes:
    try:
        return sys.stdin.buffer.read() if arg == "-" else Path(arg[1:]).read_bytes()
    except OSError as err:
        raise CommandFailed(f'Error reading "{arg[1:]}": {err.strerror}') from err


def _spec_format(arg: str, default: str) -> str:
    suffix = Path(arg[1:]).suffix if arg != "-" else ""
    return {".json": "json", ".hcl": "hcl", ".nv.hcl": "hcl"}.get(suffix, default)


def _parse_spec(data: bytes, fmt: str, where: str) -> Variable:
    try:
        if fmt == "json":
            return Variable.model_validate(json.loads(data))
        return _from_hcl(data.decode(), where)
    except (ValueError, InvalidInput) as err:
        raise CommandFailed(f"Failed to parse variable data: {err}") from err


def _from_hcl(text: str, where: str) -> Variable:
    from caravan.hcl.load import load_hcl
    from caravan.hcl.problems import Problems

    problems = Problems(where)
    doc: dict[str, Any] = load_hcl(text, problems) or {}
    problems.raise_if_any()
    items = doc.get("items") or {}
    items = items[0] if isinstance(items, list) and items else items
    return Variable(namespace=str(doc.get("namespace", "")), path=str(doc.get("path", "")),
                    modify_index=int(doc.get("modify_index", 0)),
                    items={str(k): str(v) for k, v in dict(items).items()
                           if not str(k).startswith("__")})


def _pairs(args: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for arg in args:
        key, eq, value = arg.partition("=")
        if not eq or not key:
            raise CommandFailed(f'Failed to parse K=V data: invalid key/value pair "{arg}"')
        found[key] = _read(value).decode() if value and _is_ref(value) else value
    return found


def _build(flags_args: list[str], in_fmt: str, namespace: str, verbose: Ui | None) -> Variable:
    args = list(flags_args)
    path, spec = "", None
    if _is_ref(args[0]):
        spec = _parse_spec(_read(args[0]), _spec_format(args[0], in_fmt), args[0])
    else:
        path = args[0].strip("/ ")
        if len(args) > 1 and _is_ref(args[1]):
            spec = _parse_spec(_read(args[1]), _spec_format(args[1], in_fmt), args[1])
            args = args[1:]
    var = spec or Variable()
    var.path = path or var.path
    var.namespace = var.namespace or namespace
    for key, value in _pairs(args[1:]).items():
        if value:
            var.items[key] = value
        elif var.items.pop(key, None) is not None and verbose:
            verbose.error(f'Removed item "{key}"')
    return var


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("check-index", "in", "out", "template"):
        fs.string_flag(name)
    fs.bool_flag("force")
    fs.bool_flag("verbose")
    flags = fs.parse(args)
    if not flags.args:
        raise UsageError("Not enough arguments (expected >1, got 0)")
    if len(flags.args) == 1 and not _is_ref(flags.args[0]):
        raise UsageError("Must supply data")
    in_fmt = flags.get_str("in") or "json"
    if in_fmt not in ("hcl", "json"):
        raise UsageError('Invalid value for "-in"; valid values are [hcl, json]')
    out = flags.get_str("out") or default_out("none")
    check_out(out, flags.get_str("template"))
    check_index = parse_check_index(flags.get_str("check-index"))
    if flags.get_str("namespace") == "*":
        raise CommandFailed(WILDCARD)
    client = make_client(flags)
    var = _build(flags.args, in_fmt, client.namespace or "",
                 ui if flags.get_bool("verbose") else None)
    cas = None if flags.get_bool("force") else (
        check_index if check_index is not None else var.modify_index)
    try:
        written = client.variables.put(var, cas)
    except VariableConflict as conflict:
        raise CommandFailed(cas_conflict_text(conflict.check_index,
                                              conflict.conflict)) from conflict
    except CaravanError as err:
        raise CommandFailed(f"Error creating variable: {err}") from err
    done = f'Created variable "{written.path}" with modify index {written.modify_index}'
    if out == "none":
        ui.output(done)
    else:
        if flags.get_bool("verbose"):
            ui.error(done)
        ui.output(render(written, out, flags.get_str("template")))
    return 0
