"""Another server's commit, as rows, applied to this server's in-memory tables.

With several servers on etcd only the leader commits through `StateStore.commit`;
the others see each commit as the rows it wrote (a `Change`, from the etcd watch)
and bring their tables to the same state here, so reads and blocking queries
stay local. Rows decode as `StateStore._load` decodes them at start.
"""

from __future__ import annotations

import json
from typing import TypeVar

from caravan.server.state import (
    acl_tables,
    deployment_table,
    exec_session_table,
    periodic_launch_table,
    service_tables,
    variable_table,
)
from caravan.server.state.acl_tables import AclTables
from caravan.server.state.backend import Change
from caravan.server.state.deployment_table import DeploymentTable
from caravan.server.state.exec_session_table import ExecSessionTable
from caravan.server.state.periodic_launch_table import PeriodicLaunchTable
from caravan.server.state.scheduler_config_table import TABLE as SCHEDULER_CONFIG_TABLE
from caravan.server.state.scheduler_config_table import SchedulerConfigTable
from caravan.server.state.service_tables import ServiceTables
from caravan.server.state.txn import AclWrites
from caravan.server.state.variable_table import VariableTable
from caravan.structs import Allocation, Evaluation, Job, Node, ServiceRegistration
from caravan.structs.acl import ACLPolicy, ACLToken, Namespace
from caravan.structs.deployment import Deployment
from caravan.structs.exec_audit import ExecSession
from caravan.structs.one_time_token import StoredOneTimeToken
from caravan.structs.periodic import PeriodicLaunch
from caravan.structs.variables import EncryptedVariable

# Order matters: an alloc row re-attaches its job from the versions table.
V = TypeVar("V")

_ORDER = ("job_versions", "jobs", "nodes", "node_secrets", "evals", "allocs")


class Tables:
    """What of the store a replay touches (`StateStore` is one)."""

    _versions: dict[str, Job]
    _jobs: dict[str, Job]
    _nodes: dict[str, Node]
    _node_secrets: dict[str, str]
    acl: AclTables
    services: ServiceTables
    exec_sessions: ExecSessionTable
    variables: VariableTable
    deployments: DeploymentTable
    periodic_launches: PeriodicLaunchTable
    scheduler_config: SchedulerConfigTable

    def _index_alloc(self, alloc: Allocation) -> None: ...
    def _drop_alloc(self, alloc_id: str) -> None: ...
    def _alloc_from_row(self, raw: str) -> Allocation:
        raise NotImplementedError
    def _index_eval(self, ev: Evaluation) -> None: ...
    def _drop_eval(self, eval_id: str) -> None: ...


def apply_change(store: Tables, change: Change) -> set[str]:
    """Apply `change` to `store`'s memory; returns the tables it touched."""
    by_table: dict[str, dict[str, str | None]] = {}
    for (table, key), value in change.rows.items():
        by_table.setdefault(table, {})[key] = value
    for table in _ORDER:
        for key, raw in by_table.get(table, {}).items():
            _apply_core(store, table, key, raw)
    touched = {t for t in by_table if t in _ORDER}
    touched |= store.acl.apply(_acl_writes(by_table))
    touched |= store.services.apply({
        k: None if raw is None else ServiceRegistration.model_validate_json(raw)
        for k, raw in by_table.get(service_tables.TABLE, {}).items()})
    touched |= store.exec_sessions.apply([
        ExecSession.model_validate_json(raw)
        for raw in by_table.get(exec_session_table.TABLE, {}).values() if raw is not None])
    touched |= store.variables.apply({
        k: None if raw is None else EncryptedVariable.model_validate_json(raw)
        for k, raw in by_table.get(variable_table.TABLE, {}).items()})
    rows = by_table.get(deployment_table.TABLE, {})
    touched |= store.deployments.apply(
        [Deployment.model_validate_json(raw) for raw in rows.values() if raw is not None],
        [key for key, raw in rows.items() if raw is None])
    touched |= store.periodic_launches.apply({
        k: None if raw is None else PeriodicLaunch.model_validate_json(raw)
        for k, raw in by_table.get(periodic_launch_table.TABLE, {}).items()})
    touched |= store.scheduler_config.apply_rows(by_table.get(SCHEDULER_CONFIG_TABLE, {}))
    return touched


def _apply_core(store: Tables, table: str, key: str, raw: str | None) -> None:
    if table == "job_versions":
        _set(store._versions, key, None if raw is None else Job.model_validate_json(raw))
    elif table == "jobs":
        _set(store._jobs, key, None if raw is None else Job.model_validate_json(raw))
    elif table == "nodes":
        _set(store._nodes, key, None if raw is None else Node.model_validate_json(raw))
    elif table == "node_secrets":
        _set(store._node_secrets, key, raw)
    elif table == "evals":
        if raw is None:
            store._drop_eval(key)
        else:
            store._index_eval(Evaluation.model_validate_json(raw))
    elif table == "allocs":
        if raw is None:
            store._drop_alloc(key)
        else:
            store._index_alloc(store._alloc_from_row(raw))


def _acl_writes(by_table: dict[str, dict[str, str | None]]) -> AclWrites:
    writes = AclWrites()
    for name, raw in by_table.get(acl_tables.POLICY_TABLE, {}).items():
        writes.policies[name] = None if raw is None else ACLPolicy.model_validate_json(raw)
    for accessor, raw in by_table.get(acl_tables.TOKEN_TABLE, {}).items():
        if raw is None:
            writes.tokens[accessor] = None
            continue
        data = json.loads(raw)
        writes.secret_hashes[accessor] = str(data.pop("SecretHash", ""))
        writes.tokens[accessor] = ACLToken.model_validate(data)
    for name, raw in by_table.get(acl_tables.NAMESPACE_TABLE, {}).items():
        writes.namespaces[name] = None if raw is None else Namespace.model_validate_json(raw)
    for key, raw in by_table.get(acl_tables.ONE_TIME_TABLE, {}).items():
        writes.one_time_tokens[key] = (None if raw is None
                                       else StoredOneTimeToken.model_validate_json(raw))
    done = by_table.get(acl_tables.BOOTSTRAP_TABLE, {}).get("bootstrap")
    if done is not None:
        writes.bootstrap_index = int(json.loads(done)["ResetIndex"])
    return writes


def _set(table: dict[str, V], key: str, value: V | None) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
