"""A parsed ACL policy as typed, immutable rules; shorthands are already expanded.

`capabilities` on every rule is the full granted set (explicit list + shorthand +
implied), so compiling an ACL never has to know about shorthands again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NamespaceRule:
    """`namespace "<name or glob>" { policy, capabilities, variables }`."""

    name: str
    policy: str = ""
    capabilities: frozenset[str] = frozenset()
    # `variables { path "<p>" { capabilities } }`: (path spec, capabilities) pairs.
    variable_paths: tuple[tuple[str, frozenset[str]], ...] = ()


@dataclass(frozen=True)
class LabeledRule:
    """`host_volume "<glob>" {...}` and `node_pool "<glob>" {...}`."""

    name: str
    policy: str = ""
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CapabilityRule:
    """`operator { policy, capabilities }` and `sentinel { policy, capabilities }`."""

    policy: str = ""
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Policy:
    """Everything one policy grants. `None` means the block was absent."""

    namespaces: tuple[NamespaceRule, ...] = ()
    host_volumes: tuple[LabeledRule, ...] = ()
    node_pools: tuple[LabeledRule, ...] = ()
    agent: str | None = None
    node: str | None = None
    operator: CapabilityRule | None = None
    sentinel: CapabilityRule | None = None
    quota: str | None = None
    plugin: str | None = None
    raw: str = field(default="", compare=False)

    def is_empty(self) -> bool:
        return not (self.namespaces or self.host_volumes or self.node_pools) and all(
            v is None for v in (self.agent, self.node, self.operator, self.sentinel,
                                self.quota, self.plugin))
