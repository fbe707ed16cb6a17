"""What a render pass reads of the cluster: the dependency keys and the per-pass record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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
