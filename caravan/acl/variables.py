"""Who may touch which Variable: `variables { path }` rules and a task's implicit access.

Rules are keyed `<namespace>\\x00<path spec>`; a key with a `*` in either part is a
glob over both (Nomad's rule), exact keys win, else the closest glob (`globs.py`).
Between an exact rule and the globs sits a workload's implicit access, as in Nomad:
a task may read and list `nomad/jobs`, `nomad/jobs/<job>`, `nomad/jobs/<job>/<group>`
and `nomad/jobs/<job>/<group>/<task>` of its own namespace without any policy.
`deny` anywhere in a merged rule wins over every other capability of that rule.
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.acl.globs import GlobTable

LIST, READ, WRITE, DESTROY, DENY = "list", "read", "write", "destroy", "deny"
_WORKLOAD = frozenset({READ, LIST})


@dataclass(frozen=True)
class WorkloadClaim:
    """The task a workload identity stands for (`nomad_*` claims plus its alloc's group)."""

    namespace: str
    job_id: str
    group: str
    task: str
    alloc_id: str = ""

    def implicit_paths(self) -> tuple[str, ...]:
        job = f"nomad/jobs/{self.job_id}"
        return ("nomad/jobs", job, f"{job}/{self.group}", f"{job}/{self.group}/{self.task}")


def rule_key(namespace: str, path: str) -> str:
    return f"{namespace}\x00{path}"


class VariableRules:
    """The compiled `variables` rules of one ACL. Read-only once built."""

    def __init__(self, rules: dict[str, frozenset[str]]) -> None:
        self._table = GlobTable(rules)
        self._namespaces = frozenset(key.split("\x00", 1)[0] for key in rules)

    def capabilities(self, namespace: str, path: str,
                     claim: WorkloadClaim | None) -> frozenset[str]:
        key = rule_key(namespace, path)
        if self._table.has_exact(key):
            return self._table.lookup(key) or frozenset()
        if claim is not None and namespace == claim.namespace \
                and path in claim.implicit_paths():
            return _WORKLOAD
        return self._table.lookup(key) or frozenset()

    def allows(self, namespace: str, path: str, capability: str,
               claim: WorkloadClaim | None = None) -> bool:
        granted = self.capabilities(namespace, path, claim)
        return DENY not in granted and capability in granted

    def any_in(self, namespace: str) -> bool:
        """Any rule at all that may apply in `namespace` (`*`: in any namespace)."""
        if namespace == "*":
            return bool(self._namespaces)
        return any(ns == namespace or "*" in ns for ns in self._namespaces)

