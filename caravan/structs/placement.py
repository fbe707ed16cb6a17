"""Placement preferences: `affinity` and `spread` blocks, and their register-time checks.

An affinity (job, group or task) adds `Weight` to the score of every node it matches;
a spread (job or group; Nomad has no task-level spread) scores nodes by how far the
allocations of a group on each value of `Attribute` are from the wanted share. Both
only prefer: a node no affinity matches may still be chosen. Weights default to 50,
as Nomad's API canonicalizes them; texts of the problems follow Nomad's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from caravan.structs.base import Struct

DEFAULT_WEIGHT = 50
# Nomad's operators for an affinity: the constraint operators that compare a node's value
# (not is_set/is_not_set, not the distinct_* placement rules).
AFFINITY_OPERANDS = ("=", "==", "is", "!=", "not", "<", "<=", ">", ">=", "regexp", "version",
                     "semver", "set_contains", "set_contains_all", "set_contains_any")
_NEEDS_VALUE = ("=", "==", "is", "!=", "not", "<", "<=", ">", ">=", "set_contains",
                "set_contains_all", "set_contains_any")


class Affinity(Struct):
    l_target: str = ""
    r_target: str = ""
    operand: str = "="
    weight: int = DEFAULT_WEIGHT


class SpreadTarget(Struct):
    value: str = ""
    percent: int = 0


class Spread(Struct):
    attribute: str = ""
    weight: int = DEFAULT_WEIGHT
    spread_target: list[SpreadTarget] | None = None


def affinity_problems(affinity: Affinity) -> Iterator[str]:
    """What is wrong with one affinity, in Nomad's words."""
    op = affinity.operand
    if not op:
        yield "Missing affinity operand"
    elif op not in AFFINITY_OPERANDS:
        yield f'Unknown affinity operator "{op}"'
    elif op in _NEEDS_VALUE and not affinity.r_target:
        yield (f'Operator "{op}" requires an RTarget' if not op.startswith("set_")
               else "Set contains operators require an RTarget")
    elif op == "regexp":
        try:
            re.compile(affinity.r_target)
        except re.error as e:
            yield f"Regular expression failed to compile: {e}"
    if not affinity.l_target:
        yield "No LTarget provided but is required"
    if affinity.weight == 0:
        yield "Affinity weight cannot be zero"
    if not -100 <= affinity.weight <= 100:
        yield "Affinity weight must be within the range [-100,100]"


def spread_problems(spread: Spread) -> Iterator[str]:
    """What is wrong with one spread, in Nomad's words."""
    if not spread.attribute:
        yield "Missing spread attribute"
    if not 0 < spread.weight <= 100:
        yield "Spread block must have a positive weight from 0 to 100"
    seen: set[str] = set()
    total = 0
    for target in spread.spread_target or []:
        if target.value in seen:
            yield f'Spread target value "{target.value}" already defined'
        seen.add(target.value)
        if not 0 <= target.percent <= 100:
            yield (f'Spread target percentage for value "{target.value}" must be between '
                   "0 and 100")
        total += target.percent
    if total > 100:
        yield f"Sum of spread target percentages must not be greater than 100%; got {total}%"


def preference_problems(affinities: list[Affinity] | None, spreads: list[Spread] | None,
                        path: str, job_type: str) -> Iterator[tuple[str, str]]:
    """(field path, message) for the affinities and spreads at one level of a job."""
    if job_type == "system":
        if affinities:
            yield f"{path}Affinities", "System jobs may not have an affinity block"
        if spreads:
            yield f"{path}Spreads", "System jobs may not have a spread block"
        return
    for i, affinity in enumerate(affinities or []):
        for problem in affinity_problems(affinity):
            yield f"{path}Affinities[{i}]", f"Affinity {i + 1} validation failed: {problem}"
    for i, spread in enumerate(spreads or []):
        for problem in spread_problems(spread):
            yield f"{path}Spreads[{i}]", f"Spread {i + 1} validation failed: {problem}"
