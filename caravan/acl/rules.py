"""Checks one policy block at a time and turns it into a rule; problems carry lines.

Each block kind has a row in `KINDS`: its name pattern, valid capabilities, how its
`policy` shorthand expands, and Nomad's error texts for it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from caravan.acl import capabilities as caps
from caravan.acl.document import Block, Document
from caravan.acl.policy import CapabilityRule, LabeledRule
from caravan.hcl.problems import Problems

Expand = Callable[[str, frozenset[str]], frozenset[str]]


def _shorthand(table: dict[str, frozenset[str]]) -> Expand:
    return lambda policy, granted: granted | table.get(policy, frozenset())


@dataclass(frozen=True)
class Kind:
    pattern: re.Pattern[str]
    capabilities: frozenset[str]
    expand: Expand
    bad_name: str         # each template gets name=, policy=, cap=, hint=
    bad_policy: str
    bad_capability: str
    keys: frozenset[str] = frozenset({"policy", "capabilities"})


_GLOB_NAME = re.compile(r"^[a-zA-Z0-9-*]{1,128}$")
_GLOB_TEXT = _GLOB_NAME.pattern.replace("{", "{{").replace("}", "}}")  # inside templates
_LEVELS = ", ".join(caps.POLICY_LEVELS)
KINDS = {
    "namespace": Kind(
        _GLOB_NAME, caps.NAMESPACE_CAPABILITIES, caps.expand_namespace,
        'Invalid namespace name: "{name}" does not match ' + _GLOB_TEXT,
        'Invalid namespace policy: "{policy}" is not one of ' + _LEVELS,
        "Invalid namespace capability '{cap}': {hint}",
        frozenset({"policy", "capabilities", "variables"})),
    "host_volume": Kind(
        _GLOB_NAME, caps.HOST_VOLUME_CAPABILITIES, _shorthand(caps.HOST_VOLUME_SHORTHANDS),
        'Invalid host volume name: "{name}" does not match ' + _GLOB_TEXT,
        'Invalid host volume policy: "{policy}" is not one of ' + _LEVELS,
        "Invalid host volume capability '{cap}': {hint}"),
    "node_pool": Kind(
        re.compile(r"^[a-zA-Z0-9-_*]{1,128}$"), caps.NODE_POOL_CAPABILITIES,
        _shorthand(caps.NODE_POOL_SHORTHANDS),
        "Invalid node pool name '{name}'",
        "Invalid node pool policy '{policy}' for '{name}'",
        "Invalid node pool capability '{cap}' for '{name}'"),
}
_CAPABILITY_BLOCKS = {
    "operator": (caps.OPERATOR_CAPABILITIES, caps.OPERATOR_SHORTHANDS),
    "sentinel": (caps.SENTINEL_CAPABILITIES, {
        caps.DENY: frozenset({"deny"}), caps.READ: frozenset({"sentinel-read"}),
        caps.WRITE: caps.SENTINEL_CAPABILITIES - {"deny"}}),
}


class RuleReader:
    def __init__(self, doc: Document, problems: Problems, strict: bool) -> None:
        self._doc = doc
        self._problems = problems
        self._strict = strict

    def labeled(self, block: Block) -> LabeledRule:
        """A `namespace`, `host_volume` or `node_pool` block, shorthand expanded."""
        kind = KINDS[block.kind]
        name = block.label or ""
        where = f'{block.kind} "{name}"'
        if not kind.pattern.match(name):
            self._add(block, where, "", kind.bad_name.format(name=name))
        if block.extra_labels:
            self._add(block, where, "", "Invalid or duplicate policy keys: "
                      + ", ".join(block.extra_labels))
        self._check_keys(block, where, kind.keys)
        policy = self._string(block, "policy")
        if policy and policy not in caps.POLICY_LEVELS:
            self._add(block, where, "policy", kind.bad_policy.format(policy=policy, name=name))
        granted = self._capabilities(block, where, kind.capabilities,
                                     lambda c, hint: kind.bad_capability.format(
                                         cap=c, name=name, hint=hint))
        return LabeledRule(name, policy, kind.expand(policy, granted))

    def level(self, block: Block | None) -> str | None:
        """`agent`, `node`, `quota`, `plugin`: a required `policy` level."""
        if block is None:
            return None
        self._check_keys(block, block.kind, frozenset({"policy"}))
        policy = self._string(block, "policy")
        valid = caps.PLUGIN_LEVELS if block.kind == "plugin" else caps.POLICY_LEVELS
        if policy not in valid:
            self._add(block, block.kind, "policy", f'Invalid {block.kind} policy: "{policy}" '
                      f"is not one of {', '.join(valid)}")
        return policy

    def capability_rule(self, block: Block | None) -> CapabilityRule | None:
        """`operator` and `sentinel`: an optional level plus capabilities."""
        if block is None:
            return None
        valid, shorthands = _CAPABILITY_BLOCKS[block.kind]
        self._check_keys(block, block.kind, frozenset({"policy", "capabilities"}))
        policy = self._string(block, "policy")
        if policy and policy not in caps.POLICY_LEVELS:
            self._add(block, block.kind, "policy", f'Invalid {block.kind} policy: "{policy}" '
                      f"is not one of {_LEVELS}")
        granted = self._capabilities(block, block.kind, valid, lambda c, hint:
                                     f"Invalid {block.kind} capability '{c}': {hint}")
        return CapabilityRule(policy, granted | shorthands.get(policy, frozenset()))

    def variables(self, block: Block) -> tuple[tuple[str, frozenset[str]], ...]:
        """`variables { path "<p>" { capabilities } }` inside a namespace block."""
        raw = block.body.get("variables")
        if raw is None:
            return ()
        ns = block.label or ""
        bodies = raw if isinstance(raw, list) else [raw]
        paths = [p for body in bodies if isinstance(body, dict)
                 for p in _path_items(body.get("path"))]
        if not paths:
            self._add(block, f'namespace "{ns}"', "variables",
                      f"Invalid variable policy: no variable paths in namespace {ns}")
        return tuple(self._variable_path(block, ns, spec, body) for spec, body in paths)

    def _variable_path(self, block: Block, ns: str, spec: str,
                       body: dict[str, Any]) -> tuple[str, frozenset[str]]:
        where = f'namespace "{ns}".variables'
        if not spec:
            self._add(block, where, "path", f"Invalid missing variable path in namespace {ns}")
        elif spec.startswith("/"):
            self._add(block, where, "path", f'Invalid variable path "{spec}" in namespace '
                      f"{ns}: cannot start with a leading '/'")
        wanted = body.get("capabilities") or []
        wanted = wanted if isinstance(wanted, list) else [wanted]
        for cap in wanted:
            if cap not in caps.VARIABLE_CAPABILITIES:
                self._add(block, where, "capabilities",
                          f"Invalid variable capability '{cap}' in namespace {ns}")
        granted = frozenset(str(c) for c in wanted)
        if "deny" in granted:
            return spec, frozenset({"deny"})
        return spec, granted | ({"list"} if "read" in granted else set())

    # ---- helpers -------------------------------------------------------------------------

    def _check_keys(self, block: Block, where: str, allowed: frozenset[str]) -> None:
        if not self._strict:
            return
        for key in block.body:
            if key not in allowed:
                self._add(block, where, key, f"Invalid or duplicate policy keys: {key}")

    def _string(self, block: Block, key: str) -> str:
        value = block.body.get(key, "")
        return value if isinstance(value, str) else str(value)

    def _capabilities(self, block: Block, where: str, valid: frozenset[str],
                      message: Callable[[str, str], str]) -> frozenset[str]:
        raw = block.body.get("capabilities", [])
        values = raw if isinstance(raw, list) else [raw]
        good = set()
        for value in values:
            text = value if isinstance(value, str) else str(value)
            if text in valid:
                good.add(text)
            else:
                self._add(block, where, "capabilities", message(text, _hint(text, valid)))
        return frozenset(good)

    def _add(self, block: Block, where: str, key: str, message: str) -> None:
        line = self._doc.attribute_line(block, key) if key else block.start
        self._problems.add(f"{where}.{key}" if key else where, message, line)


def _path_items(raw: Any) -> list[tuple[str, dict[str, Any]]]:
    """`path "<p>" {...}` blocks as (path, body); python-hcl2 and JSON shapes alike."""
    items = raw if isinstance(raw, list) else [raw] if isinstance(raw, dict) else []
    found: list[tuple[str, dict[str, Any]]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        if "__start_line__" in item or "capabilities" in item:
            found.append(("", item))  # a path block without its label
            continue
        found.extend((str(k), v if isinstance(v, dict) else {}) for k, v in item.items())
    return found


def _hint(value: str, valid: frozenset[str]) -> str:
    close = difflib.get_close_matches(value, sorted(valid), n=1)
    return f"did you mean '{close[0]}'?" if close else "not a known capability"
