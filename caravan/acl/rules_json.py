"""A parsed policy in Nomad's `RulesJSON` shape: what a policy read carries next to `Rules`.

Nomad's UI decides which buttons to show from it (a namespace rule's `Capabilities`
with the `policy` shorthand already expanded), so the capabilities here are the full
granted set, as the server enforces them. The keys are the Go field names of Nomad's
`acl.Policy` (no JSON tags there), absent blocks are `null`. Capabilities are sorted:
the set is what counts, and a stable order keeps the answer the same between reads.
"""

from __future__ import annotations

from typing import Any

from caravan.acl.parse import parse_policy
from caravan.acl.policy import CapabilityRule, LabeledRule, NamespaceRule, Policy


def rules_json(rules: str) -> dict[str, Any]:
    """`rules` parsed leniently (as stored policies are evaluated) into Nomad's shape."""
    return policy_json(parse_policy(rules, strict=False))


def policy_json(policy: Policy) -> dict[str, Any]:
    return {
        "Namespaces": [_namespace(r) for r in policy.namespaces] or None,
        "NodePools": [_labeled(r) for r in policy.node_pools] or None,
        "HostVolumes": [_labeled(r) for r in policy.host_volumes] or None,
        "Agent": _level(policy.agent),
        "Node": _level(policy.node),
        "Operator": _capability_rule(policy.operator),
        "Sentinel": _capability_rule(policy.sentinel),
        "Quota": _level(policy.quota),
        "Plugin": _level(policy.plugin),
        "Raw": policy.raw,
        "ExtraKeysHCL": None,
    }


def _labeled(rule: LabeledRule) -> dict[str, Any]:
    return {"Name": rule.name, "Policy": rule.policy,
            "Capabilities": sorted(rule.capabilities) or None}


def _namespace(rule: NamespaceRule) -> dict[str, Any]:
    paths = [{"PathSpec": spec, "Capabilities": sorted(granted) or None}
             for spec, granted in rule.variable_paths]
    return {**_labeled(LabeledRule(rule.name, rule.policy, rule.capabilities)),
            "Variables": {"Paths": paths} if paths else None}


def _level(policy: str | None) -> dict[str, str] | None:
    return None if policy is None else {"Policy": policy}


def _capability_rule(rule: CapabilityRule | None) -> dict[str, Any] | None:
    if rule is None:
        return None
    return {"Policy": rule.policy, "Capabilities": sorted(rule.capabilities) or None}
