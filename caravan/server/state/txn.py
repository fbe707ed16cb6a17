"""A write transaction: objects staged under one new index, applied by `StateStore.commit`."""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.structs import Allocation, Evaluation, Job, Node


def job_key(namespace: str, job_id: str) -> str:
    return f"{namespace}\x00{job_id}"


def version_key(namespace: str, job_id: str, version: int) -> str:
    return f"{namespace}\x00{job_id}\x00{version:010d}"


@dataclass
class Txn:
    """Objects to write. Indexes on the objects are set by the store at commit."""

    index: int
    now_ns: int
    jobs: list[Job] = field(default_factory=list)
    job_deletes: list[tuple[str, str]] = field(default_factory=list)
    allocs: list[Allocation] = field(default_factory=list)
    evals: list[Evaluation] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    node_secrets: dict[str, str] = field(default_factory=dict)
    # Generic keyed rows for smaller tables (ACL policies, tokens, namespaces): table -> key -> JSON.
    rows: dict[str, dict[str, str | None]] = field(default_factory=dict)

    def put_row(self, table: str, key: str, value_json: str | None) -> None:
        self.rows.setdefault(table, {})[key] = value_json
