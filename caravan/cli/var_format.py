"""What the `var` commands share: Nomad's output formats of a variable, the `-out`
and `-check-index` flags, and its texts for a check-and-set conflict."""

from __future__ import annotations

import json
import sys
from typing import Any

from caravan.cli.formatting import format_kv, format_unix_nano
from caravan.errors import CommandFailed, UsageError
from caravan.structs.variables import Variable

OUT_FORMATS = ("go-template", "hcl", "json", "none", "table")
MISSING_TEMPLATE = "A template must be supplied using '-template' when using go-template formatting"
UNEXPECTED_TEMPLATE = "The '-template' flag is only valid when using 'go-template' formatting"
WILDCARD = 'The wildcard namespace ("*") is not valid for this command.'


def default_out(interactive: str) -> str:
    """Nomad's default: `interactive` on a terminal, JSON when redirected."""
    return interactive if sys.stdout.isatty() else "json"


def check_out(out: str, template: str, valid: tuple[str, ...] = OUT_FORMATS) -> None:
    if out not in valid:
        raise UsageError(f'Invalid value for "-out"; valid values are [{", ".join(valid)}]')
    if out == "go-template" and not template:
        raise UsageError(MISSING_TEMPLATE)
    if out != "go-template" and template:
        raise UsageError(UNEXPECTED_TEMPLATE)


def wire(var: Variable) -> dict[str, Any]:
    """Nomad's api.Variable, in its field order."""
    return {"Namespace": var.namespace, "Path": var.path, "CreateIndex": var.create_index,
            "ModifyIndex": var.modify_index, "CreateTime": var.create_time,
            "ModifyTime": var.modify_time, "Items": dict(var.items)}


def render(var: Variable, out: str, template: str) -> str:
    if out == "json":
        return json.dumps(wire(var), indent=2)
    if out == "hcl":
        return as_hcl(var)
    if out == "go-template":
        from caravan.gotemplate import TemplateError
        from caravan.gotemplate import render as go_render

        try:
            return go_render(template, wire(var))
        except TemplateError as err:
            raise CommandFailed(str(err)) from err
    return as_table(var)


def as_table(var: Variable) -> str:
    meta: list[tuple[str, object]] = [("Namespace", var.namespace), ("Path", var.path),
                                      ("Create Time", format_unix_nano(var.create_time))]
    if var.create_time != var.modify_time:
        meta.append(("Modify Time", format_unix_nano(var.modify_time)))
    meta.append(("Check Index", var.modify_index))
    items = format_kv([(k, var.items[k]) for k in sorted(var.items)])
    return f"{format_kv(meta)}\n\nItems\n{items}"


def as_hcl(var: Variable) -> str:
    width = max((len(k) for k in var.items), default=0)
    items = "".join(f"  {k:>{width}} = {json.dumps(v)}\n" for k, v in sorted(var.items.items()))
    return (f'namespace    = "{var.namespace}"\n'
            f'path         = "{var.path}"\n'
            f"create_index = {var.create_index}  # Set by server\n"
            f"modify_index = {var.modify_index}  # Set by server; consulted for check-and-set\n"
            f"create_time  = {var.create_time}   # Set by server\n"
            f"modify_time  = {var.modify_time}   # Set by server\n\n"
            f"items = {{\n{items}}}")


def parse_check_index(text: str) -> int | None:
    if not text:
        return None
    try:
        value = int(text)
        if value < 0 or value >= 2**64:
            raise ValueError(text)
    except ValueError:
        raise CommandFailed(f'Invalid -check-index value "{text}": not parsable as '
                            "uint64") from None
    return value


def cas_conflict_text(check_index: int, conflict: Variable) -> str:
    last = ""
    if conflict.modify_index > 0:
        last = (" The server-side item was last updated on "
                f"{format_unix_nano(conflict.modify_time)}.")
    return ("\nCheck-and-Set conflict\n\n"
            f"    Your provided check-index ({check_index}) does not match the server-side "
            f"index ({conflict.modify_index}).{last}\n"
            "    If you are sure you want to perform this operation, add the -force or "
            f"-check-index={conflict.modify_index} flag before the positional arguments.")
