"""Does a node meet a constraint: target resolution and operand evaluation.

Targets: `${attr.<k>}` (node attributes), `${meta.<k>}` (node meta), `${node.unique.id}`,
`${node.unique.name}`, `${node.datacenter}`, `${node.class}`, `${node.pool}`; anything
not starting with `${` is a literal. A target that does not resolve is *absent*, and
like Nomad we still evaluate the operand: `!=`/`not` and `is_not_set` hold against an
absent value, every other operand fails.

`distinct_hosts` and `distinct_property` are not node properties; `feasible` handles
them with the allocations in view.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from caravan.server.scheduler import versions
from caravan.structs import Constraint, Node

PLACEMENT_OPERANDS = ("distinct_hosts", "distinct_property")
_UNIQUE_PREFIXES = ("${node.unique.", "${attr.unique.", "${meta.unique.")
_NODE_FIELDS = {
    "${node.unique.id}": lambda n: n.id,
    "${node.unique.name}": lambda n: n.name,
    "${node.datacenter}": lambda n: n.datacenter,
    "${node.class}": lambda n: n.node_class,
    "${node.pool}": lambda n: n.node_pool,
}


def resolve_target(target: str, node: Node) -> str | None:
    """The value `target` names on `node`, or None when absent."""
    if not target.startswith("${"):
        return target
    getter = _NODE_FIELDS.get(target)
    if getter is not None:
        return str(getter(node))
    if target.startswith("${attr.") and target.endswith("}"):
        return node.attributes.get(target[7:-1])
    if target.startswith("${meta.") and target.endswith("}"):
        return node.meta.get(target[7:-1])
    return None


def escapes_class(constraint: Constraint) -> bool:
    """True when the constraint reads something unique to one node, so its outcome
    cannot be shared between nodes of one computed class."""
    return any(t.startswith(_UNIQUE_PREFIXES) for t in (constraint.l_target, constraint.r_target))


@dataclass
class ConstraintEvaluator:
    """Evaluates constraints against nodes; caches compiled patterns for one evaluation."""

    _patterns: dict[str, re.Pattern[str] | None] = field(default_factory=dict)
    _versions: dict[tuple[str, bool], list[versions.Term] | None] = field(default_factory=dict)

    def meets(self, constraint: Constraint, node: Node) -> bool:
        left = resolve_target(constraint.l_target, node)
        right = resolve_target(constraint.r_target, node)
        return self.check(constraint.operand, left, right)

    def check(self, operand: str, left: str | None, right: str | None) -> bool:
        if operand in ("=", "==", "is"):
            return left is not None and left == right
        if operand in ("!=", "not"):
            return left != right
        if operand == "is_set":
            return left is not None
        if operand == "is_not_set":
            return left is None
        if left is None or right is None:
            return False
        if operand in ("<", "<=", ">", ">="):
            return _check_order(operand, left, right)
        if operand == "regexp":
            pattern = self._pattern(right)
            return pattern is not None and pattern.search(left) is not None
        if operand in ("version", "semver"):
            return self._version(left, right, semver=operand == "semver")
        if operand in ("set_contains", "set_contains_all"):
            return _set(right) <= _set(left)
        if operand == "set_contains_any":
            return bool(_set(right) & _set(left))
        return False

    def _pattern(self, text: str) -> re.Pattern[str] | None:
        if text not in self._patterns:
            try:
                self._patterns[text] = re.compile(text)
            except re.error:
                self._patterns[text] = None
        return self._patterns[text]

    def _version(self, left: str, right: str, *, semver: bool) -> bool:
        key = (right, semver)
        if key not in self._versions:
            self._versions[key] = versions.parse_constraint(right, semver=semver)
        terms = self._versions[key]
        version = versions.parse_version(left, semver=semver)
        return terms is not None and version is not None and versions.satisfies(
            version, terms, semver=semver)


def _set(text: str) -> set[str]:
    return {item.strip() for item in text.split(",")}


def _check_order(operand: str, left: str, right: str) -> bool:
    try:
        a, b = float(left), float(right)
        order = (a > b) - (a < b)
    except ValueError:  # lexical order when either side is not a number
        order = (left > right) - (left < right)
    return {"<": order < 0, "<=": order <= 0, ">": order > 0, ">=": order >= 0}[operand]
