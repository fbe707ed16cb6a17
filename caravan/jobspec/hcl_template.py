"""Decodes a task's `template { ... }` blocks, with `change_script` and `wait` inside."""

from __future__ import annotations

import re

from caravan.jobspec import fields as table
from caravan.jobspec.hcl_body import Body, Spec
from caravan.jobspec.hcl_common import block_body, optional_block, present
from caravan.jobspec.hcl_values import to_bool, to_duration, to_int, to_string, to_strings
from caravan.structs import ChangeScript, Template, WaitConfig

TEMPLATE = Spec(
    attrs={"data": ("embedded_tmpl", to_string), "source": ("source_path", to_string),
           "destination": ("dest_path", to_string), "perms": ("perms", to_string),
           "uid": ("uid", to_int), "gid": ("gid", to_int),
           "left_delimiter": ("left_delim", to_string),
           "right_delimiter": ("right_delim", to_string), "env": ("envvars", to_bool),
           "change_mode": ("change_mode", to_string),
           "change_signal": ("change_signal", to_string), "splay": ("splay", to_duration),
           "error_on_missing_key": ("err_missing_key", to_bool), "once": ("once", to_bool)},
    blocks=frozenset({"change_script", "wait"}),
    unsupported_attrs=table.TEMPLATE.refused_attrs,
)
CHANGE_SCRIPT = Spec(
    attrs={"command": ("command", to_string), "args": ("args", to_strings),
           "timeout": ("timeout", to_duration), "fail_on_error": ("fail_on_error", to_bool)},
    unsupported_attrs=table.CHANGE_SCRIPT.refused_attrs,
)
WAIT = Spec(attrs={"min": ("min", to_duration), "max": ("max", to_duration)})
_HEREDOC = re.compile(r"=\s*<<-?[A-Za-z_][\w-]*\s*$")


def templates(task: Body) -> list[Template] | None:
    out = []
    for i, block in enumerate(task.blocks.get("template", [])):
        body, fields = block_body(task, block, f"{task.path}.template[{i}]", TEMPLATE)
        if "embedded_tmpl" in fields and _is_heredoc(body, "data"):
            fields["embedded_tmpl"] += "\n"
        fields.update(
            change_script=optional_block(body, "change_script", CHANGE_SCRIPT, ChangeScript),
            wait=optional_block(body, "wait", WAIT, WaitConfig))
        out.append(Template.model_validate(present(fields)))
    return out or None


def _is_heredoc(body: Body, name: str) -> bool:
    """python-hcl2 drops the newline that ends a heredoc's last line; HCL keeps it, and
    a rendered file (an env file above all) must end as the job wrote it."""
    line = body.source.lines[body.attr_line(name) - 1]
    return bool(_HEREDOC.search(line))
