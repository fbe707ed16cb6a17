"""What a render pass reads of the cluster: the dependency keys and the per-pass record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from caravan.errors import CaravanError


@dataclass(frozen=True, order=True)
class Dep:
    """One thing a template reads from the cluster: ("service", name), ("services", ""),
    ("var", path), ("var_list", prefix); `namespace` when the query names one (`@ns`)."""

    kind: str
    key: str = ""
    namespace: str = ""


@dataclass
class Reads:
    data: Mapping[Dep, object]
    asked: set[Dep] = field(default_factory=set)
    missing: set[Dep] = field(default_factory=set)
    # Read, and absent in the cluster (a variable not written yet): the template waits.
    blocked: set[Dep] = field(default_factory=set)

    def get(self, dep: Dep, empty: object) -> object:
        self.asked.add(dep)
        if dep not in self.data:
            self.missing.add(dep)
            return empty
        return self.data[dep]


class TemplateFailed(CaravanError):
    """A template that cannot render or be written: fails the task (Nomad's
    `Template failed: ...`)."""


def describe(dep: Dep, namespace: str) -> str:
    """consul-template's name for a dependency, as Nomad's `Missing:` event shows it."""
    where = f"{dep.namespace or namespace}.global"
    kind = {"var": "nomad.var.block", "var_list": "nomad.var.list", "service": "nomad.service",
            "services": "nomad.services"}.get(dep.kind, dep.kind)
    return f"{kind}({dep.key}@{where})"
