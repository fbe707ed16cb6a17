"""The compiled ACL: many policies merged into one object that answers "may I?" fast.

Merging, as Nomad does it:
- namespace / host_volume / node_pool rules with the same name or glob: the union of
  their capabilities, except that `deny` anywhere clears the set and wins;
- `agent`, `node`, `operator`, `quota`, `plugin` levels: the highest privilege,
  with `deny` overriding everything (deny > write > read > list).

An ACL never changes after `compile_acl`; it is safe to share between requests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from caravan.acl.capabilities import (
    DENY,
    LIST,
    READ,
    WRITE,
    Capability,
    Coarse,
    max_privilege,
)
from caravan.acl.globs import GlobTable
from caravan.acl.policy import Policy
from caravan.acl.variables import VariableRules, WorkloadClaim, rule_key

DEFAULT_NAMESPACE = "default"
ALL_NAMESPACES = "*"


class ACL:
    def __init__(self, *, management: bool = False,
                 namespaces: dict[str, frozenset[str]] | None = None,
                 host_volumes: dict[str, frozenset[str]] | None = None,
                 node_pools: dict[str, frozenset[str]] | None = None,
                 levels: dict[str, str] | None = None,
                 operator_capabilities: frozenset[str] = frozenset(),
                 variables: dict[str, frozenset[str]] | None = None) -> None:
        self._management = management
        self._namespaces = GlobTable(namespaces or {})
        self._host_volumes = GlobTable(host_volumes or {})
        self._node_pools = GlobTable(node_pools or {})
        self._levels = dict(levels or {})
        self._operator_capabilities = operator_capabilities
        self._variables = VariableRules(variables or {})

    @classmethod
    def management(cls) -> ACL:
        """The ACL of a management token: every check passes."""
        return cls(management=True)

    @property
    def is_management(self) -> bool:
        return self._management

    # ---- namespaces ----------------------------------------------------------------------

    def allow_namespace_operation(self, namespace: str, capability: str) -> bool:
        """`*` asks "in any namespace?", as Nomad's list endpoints do."""
        if self._management:
            return True
        if namespace == ALL_NAMESPACES:
            return self.allow_any_namespace_operation(capability)
        granted = self._namespaces.lookup(namespace)
        return granted is not None and capability in granted

    def allow_any_namespace_operation(self, capability: str) -> bool:
        return self._management or self._namespaces.any_rule(lambda c: capability in c)

    def allow_namespace_operation_everywhere(self, capability: str) -> bool:
        """True if no namespace could refuse `capability`; then a 404 reveals nothing."""
        return self._management or self._namespaces.everywhere(capability)

    def allow_namespace(self, namespace: str) -> bool:
        """Any operation at all (and not denied): what reading a namespace object needs."""
        if self._management:
            return True
        if namespace == ALL_NAMESPACES:
            return self._namespaces.any_rule(_grants_something)
        granted = self._namespaces.lookup(namespace)
        return granted is not None and _grants_something(granted)

    def allow_host_volume_operation(self, name: str, capability: str) -> bool:
        granted = self._host_volumes.lookup(name)
        return self._management or (granted is not None and capability in granted)

    def allow_node_pool_operation(self, pool: str, capability: str) -> bool:
        granted = self._node_pools.lookup(pool)
        return self._management or (granted is not None and capability in granted)

    # ---- variables -----------------------------------------------------------------------

    def allow_variable_operation(self, namespace: str, path: str, capability: str,
                                 claim: WorkloadClaim | None = None) -> bool:
        """`variables { path }` rules, then a workload's implicit paths (`claim`)."""
        return self._management or self._variables.allows(namespace, path, capability, claim)

    def allow_variable_search(self, namespace: str) -> bool:
        """Any variable rule that may apply in `namespace`: lists are then filtered."""
        return self._management or self._variables.any_in(namespace)

    # ---- coarse policies -----------------------------------------------------------------

    def _level_in(self, kind: str, *levels: str) -> bool:
        return self._management or self._levels.get(kind, "") in levels

    def allow_node_read(self) -> bool:
        return self._level_in("node", READ, WRITE)

    def allow_node_write(self) -> bool:
        return self._level_in("node", WRITE)

    def allow_agent_read(self) -> bool:
        return self._level_in("agent", READ, WRITE)

    def allow_agent_write(self) -> bool:
        return self._level_in("agent", WRITE)

    def allow_operator_read(self) -> bool:
        return self._level_in("operator", READ, WRITE)

    def allow_operator_write(self) -> bool:
        return self._level_in("operator", WRITE)

    def allow_operator_operation(self, capability: str) -> bool:
        return self._level_in("operator", WRITE) or capability in self._operator_capabilities

    def allow_quota_read(self) -> bool:
        return self._level_in("quota", READ, WRITE)

    def allow_quota_write(self) -> bool:
        return self._level_in("quota", WRITE)

    def allow_plugin_read(self) -> bool:
        return self._level_in("plugin", READ, WRITE)

    def allow_plugin_list(self) -> bool:
        return self._level_in("plugin", LIST, READ, WRITE)

    # ---- one entry point for authorize() -------------------------------------------------

    def allows(self, capability: Capability, namespace: str | None = None) -> bool:
        if isinstance(capability, Coarse):
            return _COARSE_CHECKS[capability](self)
        return self.allow_namespace_operation(namespace or DEFAULT_NAMESPACE, capability)


def _grants_something(granted: frozenset[str]) -> bool:
    return bool(granted) and DENY not in granted


_COARSE_CHECKS: dict[Coarse, Callable[[ACL], bool]] = {
    Coarse.NODE_READ: ACL.allow_node_read, Coarse.NODE_WRITE: ACL.allow_node_write,
    Coarse.AGENT_READ: ACL.allow_agent_read, Coarse.AGENT_WRITE: ACL.allow_agent_write,
    Coarse.OPERATOR_READ: ACL.allow_operator_read,
    Coarse.OPERATOR_WRITE: ACL.allow_operator_write,
    Coarse.QUOTA_READ: ACL.allow_quota_read, Coarse.QUOTA_WRITE: ACL.allow_quota_write,
    Coarse.PLUGIN_READ: ACL.allow_plugin_read, Coarse.PLUGIN_LIST: ACL.allow_plugin_list,
    Coarse.MANAGEMENT: lambda acl: acl.is_management,
}


def compile_acl(policies: Iterable[Policy]) -> ACL:
    """Merge `policies` into one ACL (order does not matter)."""
    namespaces: dict[str, set[str]] = {}
    host_volumes: dict[str, set[str]] = {}
    node_pools: dict[str, set[str]] = {}
    levels: dict[str, str] = {}
    operator_caps: set[str] = set()
    variables: dict[str, set[str]] = {}
    for policy in policies:
        for rule in policy.namespaces:
            _merge(namespaces, rule.name, rule.capabilities)
            for path, granted in rule.variable_paths:
                _merge(variables, rule_key(rule.name, path), granted)
        for labeled in policy.host_volumes:
            _merge(host_volumes, labeled.name, labeled.capabilities)
        for labeled in policy.node_pools:
            _merge(node_pools, labeled.name, labeled.capabilities)
        for kind in ("agent", "node", "quota", "plugin"):
            level = getattr(policy, kind)
            if level is not None:
                levels[kind] = max_privilege(levels.get(kind, ""), level)
        if policy.operator is not None:
            levels["operator"] = max_privilege(levels.get("operator", ""),
                                               policy.operator.policy)
            _merge_set(operator_caps, policy.operator.capabilities)
    return ACL(namespaces=_freeze(namespaces), host_volumes=_freeze(host_volumes),
               node_pools=_freeze(node_pools), levels=levels,
               operator_capabilities=frozenset(operator_caps), variables=_freeze(variables))


def _merge(table: dict[str, set[str]], name: str, granted: frozenset[str]) -> None:
    _merge_set(table.setdefault(name, set()), granted)


def _merge_set(current: set[str], granted: frozenset[str]) -> None:
    if DENY in current:
        return
    if DENY in granted:
        current.clear()
        current.add(DENY)
        return
    current |= granted


def _freeze(table: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    return {name: frozenset(caps) for name, caps in table.items()}
