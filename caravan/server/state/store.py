"""The state store: every table in memory, one global index, watches, durable commits.

Reads return the stored objects themselves: callers must `model_copy()` before
changing one (the store never hands out a private copy, to keep reads cheap).
Writes are staged in a `Txn` and applied by `commit()`, which persists through
the backend first and touches memory only after the backend succeeded, so a
failed write leaves both sides as they were. All calls come from the event loop
thread; `snapshot()` gives the scheduler a view it may read from another thread.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Iterable

from caravan.server.state.acl_tables import TABLES as ACL_TABLES
from caravan.server.state.acl_tables import AclTables
from caravan.server.state.exec_session_table import TABLE as EXEC_SESSION_TABLE
from caravan.server.state.exec_session_table import ExecSessionTable
from caravan.server.state.deployment_table import TABLE as DEPLOYMENT_TABLE
from caravan.server.state.deployment_table import DeploymentTable
from caravan.server.state.periodic_launch_table import TABLE as PERIODIC_LAUNCH_TABLE
from caravan.server.state.periodic_launch_table import PeriodicLaunchTable
from caravan.server.state.scheduler_config_table import TABLE as SCHEDULER_CONFIG_TABLE
from caravan.server.state.scheduler_config_table import SchedulerConfigTable
from caravan.server.state.service_tables import TABLE as SERVICE_TABLE
from caravan.server.state.service_tables import ServiceTables
from caravan.server.state.variable_table import TABLE as VARIABLE_TABLE
from caravan.server.state.variable_table import VariableTable
from caravan.server.state.backend import Backend, Change
from caravan.server.state.replay import Tables, apply_change
from caravan.server.state.snapshot import StateSnapshot
from caravan.server.state.txn import Txn, job_key, version_key
from caravan.structs import Allocation, Evaluation, Job, Node

TABLES = ("jobs", "job_versions", "allocs", "evals", "nodes", "node_secrets")


class StateStore(Tables):
    def __init__(self, backend: Backend) -> None:
        self._backend = backend
        self._index = 0
        self._table_index: dict[str, int] = {}
        self._jobs: dict[str, Job] = {}
        self._versions: dict[str, Job] = {}
        self._allocs: dict[str, Allocation] = {}
        self._evals: dict[str, Evaluation] = {}
        self._nodes: dict[str, Node] = {}
        self._node_secrets: dict[str, str] = {}
        self.acl = AclTables()  # ACL policies, tokens, bootstrap and namespaces (typed reads)
        self.services = ServiceTables()  # service registrations (Nomad's own provider)
        self.exec_sessions = ExecSessionTable()  # exec session audit records
        self.deployments = DeploymentTable()  # rolling updates and canaries
        self.periodic_launches = PeriodicLaunchTable()  # each periodic job's last launch
        self.variables = VariableTable()  # Nomad Variables, encrypted (server/variables.py)
        self.scheduler_config = SchedulerConfigTable()  # the operator's scheduler settings
        self._allocs_by_job: dict[str, dict[str, Allocation]] = {}
        self._allocs_by_node: dict[str, dict[str, Allocation]] = {}
        self._evals_by_job: dict[str, dict[str, Evaluation]] = {}
        self._changed: asyncio.Event | None = None
        self._released = False
        self._observers: list[Callable[[Change], None]] = []
        self._load()

    # ---- loading -------------------------------------------------------------------------

    def _load(self) -> None:
        loaded = self._backend.load()
        self._index = loaded.index
        rows = loaded.rows
        for raw in rows.get("job_versions", {}).values():
            job = Job.model_validate_json(raw)
            self._versions[version_key(job.namespace, job.id, job.version)] = job
        for raw in rows.get("jobs", {}).values():
            job = Job.model_validate_json(raw)
            self._jobs[job_key(job.namespace, job.id)] = job
        for raw in rows.get("nodes", {}).values():
            node = Node.model_validate_json(raw)
            self._nodes[node.id] = node
        self._node_secrets = dict(rows.get("node_secrets", {}))
        for raw in rows.get("evals", {}).values():
            self._index_eval(Evaluation.model_validate_json(raw))
        for raw in rows.get("allocs", {}).values():
            self._index_alloc(self._alloc_from_row(raw))
        # Tables this version does not know (an older `acl_token_secrets`) are not read.
        self.acl.load(rows)
        self.services.load(rows)
        self.exec_sessions.load(rows)
        self.deployments.load(rows)
        self.periodic_launches.load(rows)
        self.variables.load(rows)
        self.scheduler_config.load(rows)
        for table in (*TABLES, *ACL_TABLES, SERVICE_TABLE, EXEC_SESSION_TABLE,
                      DEPLOYMENT_TABLE, VARIABLE_TABLE, PERIODIC_LAUNCH_TABLE,
                      SCHEDULER_CONFIG_TABLE):
            self._table_index[table] = self._index

    def _alloc_from_row(self, raw: str) -> Allocation:
        alloc = Allocation.model_validate_json(raw)
        version = alloc.job.version if alloc.job is not None else 0
        # Rows keep only the job's identity; the version table holds the job itself.
        alloc.job = self._versions.get(version_key(alloc.namespace, alloc.job_id, version))
        return alloc

    # ---- reads ---------------------------------------------------------------------------

    @property
    def index(self) -> int:
        return self._index

    @property
    def backend(self) -> Backend:
        return self._backend

    def table_index(self, *tables: str) -> int:
        """The highest index that modified any of `tables`, floored at 1 (as Nomad does)."""
        return max(1, max((self._table_index.get(t, 0) for t in tables), default=0))

    def job(self, namespace: str, job_id: str) -> Job | None:
        return self._jobs.get(job_key(namespace, job_id))

    def jobs(self, namespace: str | None = None) -> list[Job]:
        jobs = (j for j in self._jobs.values() if namespace in (None, "*", j.namespace))
        return sorted(jobs, key=lambda j: (j.namespace, j.id))

    def job_versions(self, namespace: str, job_id: str) -> list[Job]:
        prefix = job_key(namespace, job_id) + "\x00"
        found = [j for k, j in self._versions.items() if k.startswith(prefix)]
        return sorted(found, key=lambda j: j.version, reverse=True)

    def alloc(self, alloc_id: str) -> Allocation | None:
        return self._allocs.get(alloc_id)

    def allocs(self) -> list[Allocation]:
        return list(self._allocs.values())

    def allocs_by_job(self, namespace: str, job_id: str) -> list[Allocation]:
        return list(self._allocs_by_job.get(job_key(namespace, job_id), {}).values())

    def allocs_by_node(self, node_id: str) -> list[Allocation]:
        return list(self._allocs_by_node.get(node_id, {}).values())

    def allocs_by_eval(self, eval_id: str) -> list[Allocation]:
        return [a for a in self._allocs.values() if a.eval_id == eval_id]

    def eval(self, eval_id: str) -> Evaluation | None:
        return self._evals.get(eval_id)

    def evals(self) -> list[Evaluation]:
        return list(self._evals.values())

    def evals_by_job(self, namespace: str, job_id: str) -> list[Evaluation]:
        return list(self._evals_by_job.get(job_key(namespace, job_id), {}).values())

    def node(self, node_id: str) -> Node | None:
        return self._nodes.get(node_id)

    def nodes(self) -> list[Node]:
        return list(self._nodes.values())

    def node_secret_matches(self, node_id: str, secret: str) -> bool:
        stored = self._node_secrets.get(node_id)
        return stored is not None and stored == _hash_secret(secret)

    def snapshot(self) -> StateSnapshot:
        return StateSnapshot(
            index=self._index,
            nodes=dict(self._nodes),
            jobs=dict(self._jobs),
            allocs_by_job={k: list(v.values()) for k, v in self._allocs_by_job.items()},
            allocs_by_node={k: list(v.values()) for k, v in self._allocs_by_node.items()},
            deployments=self.deployments.latest_by_job(),
            scheduler_config=self.scheduler_config.get(),
        )

    # ---- watches -------------------------------------------------------------------------

    async def wait_for_change(self, tables: Iterable[str], min_index: int,
                              timeout_s: float) -> int:
        """Block until one of `tables` changes past `min_index` or the timeout ends.

        Returns the tables' current index. Cancellation simply ends the wait.
        """
        watched = tuple(tables)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while True:
            current = self.table_index(*watched)
            remaining = deadline - loop.time()
            if current > min_index or remaining <= 0 or self._released:
                return current
            if self._changed is None:
                self._changed = asyncio.Event()
            try:
                async with asyncio.timeout(remaining):
                    await self._changed.wait()
            except TimeoutError:
                return self.table_index(*watched)

    def observe(self, observer: Callable[[Change], None]) -> None:
        """Call `observer` with every change this store commits or replays, once it is
        durable and before memory reflects it (the objects it deletes are still readable).
        It runs on the loop inside the commit: it must be quick and must not raise."""
        self._observers.append(observer)

    def release_waiters(self) -> None:
        """Answer every blocking query now (the agent is stopping); later ones do not block."""
        self._released = True
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    # ---- writes --------------------------------------------------------------------------

    def begin(self, now_ns: int) -> Txn:
        return Txn(index=self._index + 1, now_ns=now_ns)

    def commit(self, txn: Txn) -> int:
        """Persist and apply `txn`; returns its index. On a backend error nothing changes."""
        if txn.index != self._index + 1:
            raise RuntimeError("transactions must be committed in order, one at a time")
        self._stamp(txn)
        change = self._change_of(txn)
        self._backend.commit(change)
        self._notify(change)
        self._apply(txn)
        self._index = txn.index
        self._wake()
        return txn.index

    def apply_remote(self, change: Change) -> bool:
        """Apply a commit another server made (rows from the etcd watch); False when this
        store already has it (its own commits come back through the watch too)."""
        if change.index <= self._index:
            return False
        self._notify(change)
        for table in apply_change(self, change):
            self._table_index[table] = change.index
        self._index = change.index
        self._wake()
        return True

    def _notify(self, change: Change) -> None:
        for observer in self._observers:
            observer(change)

    def _wake(self) -> None:
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def _stamp(self, txn: Txn) -> None:
        for job in txn.jobs:
            old = self._jobs.get(job_key(job.namespace, job.id))
            job.create_index = old.create_index if old else txn.index
            job.modify_index = txn.index
        for alloc in txn.allocs:
            old_alloc = self._allocs.get(alloc.id)
            alloc.create_index = old_alloc.create_index if old_alloc else txn.index
            alloc.create_time = old_alloc.create_time if old_alloc else (alloc.create_time
                                                                          or txn.now_ns)
            alloc.modify_index = txn.index
            alloc.modify_time = txn.now_ns
        for ev in txn.evals:
            old_eval = self._evals.get(ev.id)
            ev.create_index = old_eval.create_index if old_eval else txn.index
            ev.create_time = old_eval.create_time if old_eval else (ev.create_time or txn.now_ns)
            ev.modify_index = txn.index
            ev.modify_time = txn.now_ns
        for node in txn.nodes:
            old_node = self._nodes.get(node.id)
            node.create_index = old_node.create_index if old_node else txn.index
            node.modify_index = txn.index
        self.services.stamp(txn.services, txn.index)
        self.deployments.stamp(txn.deployments, txn.index, txn.now_ns)
        self.periodic_launches.stamp(txn.periodic_launches, txn.index)
        self.variables.stamp(txn.variables, txn.index, txn.now_ns)
        self.scheduler_config.stamp(txn.scheduler_config, txn.index)

    def _change_of(self, txn: Txn) -> Change:
        change = Change(index=txn.index)
        for job in txn.jobs:
            raw = job.model_dump_json(by_alias=True)
            change.put("jobs", job_key(job.namespace, job.id), raw)
            change.put("job_versions", version_key(job.namespace, job.id, job.version), raw)
        for old_version in txn.version_updates:
            raw = old_version.model_dump_json(by_alias=True)
            change.put("job_versions", version_key(old_version.namespace, old_version.id,
                                                   old_version.version), raw)
            current = self._jobs.get(job_key(old_version.namespace, old_version.id))
            if current is not None and current.version == old_version.version:
                change.put("jobs", job_key(current.namespace, current.id), current.model_copy(
                    update={"stable": old_version.stable}).model_dump_json(by_alias=True))
        for ns, job_id in txn.job_deletes:
            change.delete("jobs", job_key(ns, job_id))
            for old in self.job_versions(ns, job_id):
                change.delete("job_versions", version_key(ns, job_id, old.version))
        for alloc in txn.allocs:
            change.put("allocs", alloc.id, _alloc_row(alloc))
        for ev in txn.evals:
            change.put("evals", ev.id, ev.model_dump_json(by_alias=True))
        for node in txn.nodes:
            change.put("nodes", node.id, node.model_dump_json(by_alias=True))
        for node_id, secret in txn.node_secrets.items():
            change.put("node_secrets", node_id, _hash_secret(secret))
        for node_id in txn.node_deletes:
            change.delete("nodes", node_id)
            change.delete("node_secrets", node_id)
        for alloc_id in txn.alloc_deletes:
            change.delete("allocs", alloc_id)
        for eval_id in txn.eval_deletes:
            change.delete("evals", eval_id)
        self.acl.change(txn.acl, change)
        self.services.change(txn.services, change)
        self.exec_sessions.change(txn.exec_sessions, change)
        self.deployments.change(txn.deployments, txn.deployment_deletes, change)
        self.periodic_launches.change(txn.periodic_launches, change)
        self.variables.change(txn.variables, change)
        self.scheduler_config.change(txn.scheduler_config, change)
        return change

    def _apply(self, txn: Txn) -> None:
        touched: set[str] = set()
        for job in txn.jobs:
            self._jobs[job_key(job.namespace, job.id)] = job
            self._versions[version_key(job.namespace, job.id, job.version)] = job
            touched.update(("jobs", "job_versions"))
        for old_version in txn.version_updates:
            key = job_key(old_version.namespace, old_version.id)
            self._versions[version_key(old_version.namespace, old_version.id,
                                       old_version.version)] = old_version
            current = self._jobs.get(key)
            if current is not None and current.version == old_version.version:
                self._jobs[key] = current.model_copy(update={"stable": old_version.stable})
            touched.update(("jobs", "job_versions"))
        for ns, job_id in txn.job_deletes:
            self._jobs.pop(job_key(ns, job_id), None)
            for old in self.job_versions(ns, job_id):
                self._versions.pop(version_key(ns, job_id, old.version), None)
            touched.update(("jobs", "job_versions"))
        for alloc in txn.allocs:
            self._index_alloc(alloc)
            touched.add("allocs")
        for ev in txn.evals:
            self._index_eval(ev)
            touched.add("evals")
        for node in txn.nodes:
            self._nodes[node.id] = node
            touched.add("nodes")
        for node_id, secret in txn.node_secrets.items():
            self._node_secrets[node_id] = _hash_secret(secret)
            touched.add("node_secrets")
        for node_id in txn.node_deletes:
            self._nodes.pop(node_id, None)
            self._node_secrets.pop(node_id, None)
            touched.update(("nodes", "node_secrets"))
        for alloc_id in txn.alloc_deletes:
            self._drop_alloc(alloc_id)
            touched.add("allocs")
        for eval_id in txn.eval_deletes:
            self._drop_eval(eval_id)
            touched.add("evals")
        touched |= self.acl.apply(txn.acl)
        touched |= self.services.apply(txn.services)
        touched |= self.exec_sessions.apply(txn.exec_sessions)
        touched |= self.deployments.apply(txn.deployments, txn.deployment_deletes)
        touched |= self.periodic_launches.apply(txn.periodic_launches)
        touched |= self.variables.apply(txn.variables)
        touched |= self.scheduler_config.apply(txn.scheduler_config)
        for table in touched:
            self._table_index[table] = txn.index

    def _index_alloc(self, alloc: Allocation) -> None:
        old = self._allocs.get(alloc.id)
        if old is not None and old.node_id != alloc.node_id:
            self._allocs_by_node.get(old.node_id, {}).pop(alloc.id, None)
        self._allocs[alloc.id] = alloc
        self._allocs_by_job.setdefault(job_key(alloc.namespace, alloc.job_id), {})[alloc.id] = alloc
        self._allocs_by_node.setdefault(alloc.node_id, {})[alloc.id] = alloc

    def _drop_alloc(self, alloc_id: str) -> None:
        old = self._allocs.pop(alloc_id, None)
        if old is not None:
            self._allocs_by_job.get(job_key(old.namespace, old.job_id), {}).pop(alloc_id, None)
            self._allocs_by_node.get(old.node_id, {}).pop(alloc_id, None)

    def _drop_eval(self, eval_id: str) -> None:
        old = self._evals.pop(eval_id, None)
        if old is not None:
            self._evals_by_job.get(job_key(old.namespace, old.job_id), {}).pop(eval_id, None)

    def _index_eval(self, ev: Evaluation) -> None:
        self._evals[ev.id] = ev
        self._evals_by_job.setdefault(job_key(ev.namespace, ev.job_id), {})[ev.id] = ev

    def close(self) -> None:
        self._backend.close()


def _alloc_row(alloc: Allocation) -> str:
    """An alloc row keeps its job's version only; `_alloc_from_row` re-attaches the job."""
    job = alloc.job
    stub = None if job is None else Job(id=job.id, namespace=job.namespace, version=job.version)
    return alloc.model_copy(update={"job": stub}).model_dump_json(by_alias=True)


def _hash_secret(secret: str) -> str:
    # Secrets are stored hashed, so a copied state file does not hand out credentials.
    return hashlib.sha256(secret.encode()).hexdigest()
