"""A task's job actions (Nomad 1.7+): named commands an operator may run in the task's
running allocations through the exec channel, and the checks Nomad makes at submit."""

from __future__ import annotations

import re


from caravan.structs.base import Struct

# Nomad's rule: 1-128 characters, none of them NUL or whitespace.
_NAME = re.compile(r"[^\x00\s]{1,128}")


class Action(Struct):
    name: str = ""
    command: str = ""
    args: list[str] | None = None

    def argv(self) -> list[str]:
        return [self.command, *(self.args or [])]


class JobAction(Struct):
    """One row of `GET /v1/job/<id>/actions`: an action and where it is defined."""

    name: str = ""
    command: str = ""
    args: list[str] | None = None
    task_name: str = ""
    task_group_name: str = ""


def action_problems(actions: list[Action]) -> list[tuple[int, str]]:
    """(index, problem) for each bad action, in Nomad's words; a name defined twice is
    reported once."""
    out: list[tuple[int, str]] = []
    seen: dict[str, bool] = {}
    for i, action in enumerate(actions):
        problems = ([] if action.command else ["command cannot be empty"]) + \
            ([] if _NAME.fullmatch(action.name) else [f"invalid name '{action.name}'"])
        if problems:
            out.append((i, f"Action {action.name} validation failed: {'; '.join(problems)}"))
        if seen.get(action.name) is False:
            out.append((i, f"Action {action.name} defined multiple times"))
            seen[action.name] = True
        seen.setdefault(action.name, False)
    return out


__all__ = ["Action", "JobAction", "action_problems"]
