"""A write transaction: objects staged under one new index, applied by `StateStore.commit`."""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.structs import Allocation, Evaluation, Job, Node, ServiceRegistration
from caravan.structs.acl import ACLPolicy, ACLToken, Namespace
from caravan.structs.deployment import Deployment
from caravan.structs.exec_audit import ExecSession
from caravan.structs.one_time_token import StoredOneTimeToken
from caravan.structs.operator import SchedulerConfiguration
from caravan.structs.periodic import PeriodicLaunch
from caravan.structs.variables import EncryptedVariable


def job_key(namespace: str, job_id: str) -> str:
    return f"{namespace}\x00{job_id}"


def version_key(namespace: str, job_id: str, version: int) -> str:
    return f"{namespace}\x00{job_id}\x00{version:010d}"


@dataclass
class AclWrites:
    """ACL and namespace writes of one transaction; `None` deletes the key."""

    policies: dict[str, ACLPolicy | None] = field(default_factory=dict)
    tokens: dict[str, ACLToken | None] = field(default_factory=dict)  # stored without secret
    secret_hashes: dict[str, str] = field(default_factory=dict)  # accessor -> a new token's
    namespaces: dict[str, Namespace | None] = field(default_factory=dict)
    bootstrap_index: int | None = None
    # sha256(one-time secret) -> its row (`caravan ui -authenticate`)
    one_time_tokens: dict[str, StoredOneTimeToken | None] = field(default_factory=dict)


@dataclass
class Txn:
    """Objects to write. Indexes on the objects are set by the store at commit."""

    index: int
    now_ns: int
    jobs: list[Job] = field(default_factory=list)
    job_deletes: list[tuple[str, str]] = field(default_factory=list)
    version_updates: list[Job] = field(default_factory=list)  # an old version's row only
    allocs: list[Allocation] = field(default_factory=list)
    evals: list[Evaluation] = field(default_factory=list)
    nodes: list[Node] = field(default_factory=list)
    node_deletes: list[str] = field(default_factory=list)  # purged nodes (and their secrets)
    node_secrets: dict[str, str] = field(default_factory=dict)
    acl: AclWrites = field(default_factory=AclWrites)
    exec_sessions: list[ExecSession] = field(default_factory=list)
    services: dict[str, ServiceRegistration | None] = field(default_factory=dict)  # None: delete
    deployments: list[Deployment] = field(default_factory=list)
    deployment_deletes: list[str] = field(default_factory=list)
    # job_key -> the periodic job's last launch; None deletes it
    periodic_launches: dict[str, PeriodicLaunch | None] = field(default_factory=dict)
    # "<namespace>\x00<path>" -> the encrypted variable; None deletes it
    variables: dict[str, EncryptedVariable | None] = field(default_factory=dict)
    # Garbage collection (caravan/server/gc/): rows removed for good.
    alloc_deletes: list[str] = field(default_factory=list)
    eval_deletes: list[str] = field(default_factory=list)
    # The operator's scheduler configuration (`/v1/operator/scheduler/configuration`).
    scheduler_config: SchedulerConfiguration | None = None
