"""Decodes a task's `action "name" { command = "..."  args = [...] }` blocks (Nomad 1.7+)."""

from __future__ import annotations

from caravan.jobspec.hcl_body import Body, Spec
from caravan.jobspec.hcl_common import present
from caravan.jobspec.hcl_values import to_string, to_strings
from caravan.structs import Action

ACTION = Spec(attrs={"command": ("command", to_string), "args": ("args", to_strings)})


def actions(task: Body) -> list[Action] | None:
    """Every `action` block of `task`, in file order; a missing label or `command` is
    reported with the block's path and line (duplicates are the validator's)."""
    out = []
    for i, block in enumerate(task.blocks.get("action", [])):
        name = task.label(block, f"{task.path}.action[{i}]", 'action "restart" { ... }')
        path = f'{task.path}.action["{name}"]' if name else f"{task.path}.action[{i}]"
        body = task.child(block, path)
        body.check(ACTION)
        fields = body.convert(ACTION)
        if "command" not in body.attrs:
            body.error('missing required attribute "command"')
        out.append(Action.model_validate(present({**fields, "name": name})))
    return out or None
