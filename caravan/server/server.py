"""The server: builds the store, broker, workers and endpoints, and owns their loops.

    start():  load state ─▶ re-queue pending evals, park blocked ones and give them one
              more pass ─▶ give every ready node the failover heartbeat deadline (5 min)
              ─▶ start workers + heartbeat loop
    stop():   cancel the loops (each awaited), close the store

With several servers on etcd (`member` given), start() only follows the shared
state and campaigns; the steps above run when this server becomes the leader,
and the workers and heartbeat loop stop again when it loses the lead.

The loops belong to a `Supervisor`: one that dies is logged and `wait_failed()`
returns, so the agent stops instead of serving without a scheduler or heartbeats.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING

from caravan.clock import Clock
from caravan.errors import WriteFailed
from caravan.config.tls import ClientIntroductionConfig
from caravan.ids import IdGenerator
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.one_time_tokens import OneTimeTokens
from caravan.server.alloc_endpoint import AllocEndpoint
from caravan.server.namespace_endpoint import NamespaceEndpoint
from caravan.server.core import ServerCore
from caravan.server.deployments.endpoint import DeploymentEndpoint
from caravan.server.deployments.watcher import DeploymentWatcher
from caravan.server.dispatch import Dispatcher
from caravan.server.drain.drainer import Drainer
from caravan.server.eval_broker import EvalBroker
from caravan.server.events import attach
from caravan.server.eval_endpoint import EvalEndpoint
from caravan.server.exec_audit_endpoint import ExecAuditEndpoint
from caravan.server.heartbeat import HeartbeatTracker
from caravan.server.introduction import KEY_FILE as INTRO_KEY_FILE
from caravan.server.introduction import Introductions, load_or_create_key
from caravan.server.job_changes import JobChanges
from caravan.server.job_endpoint import JobEndpoint
from caravan.server.job_statuses import JobStatusesEndpoint
from caravan.server.keyring import Keyring, KeyStore
from caravan.server.keyring_files import DirKeyStore, MemoryKeyStore
from caravan.server.node_endpoint import NodeEndpoint
from caravan.server.gc.collector import GarbageCollector, GCSettings
from caravan.server.operator_config import OperatorConfig
from caravan.server.periodic.dispatcher import PeriodicDispatcher
from caravan.server.plan_apply import PlanApplier
from caravan.server.search import SearchEndpoint
from caravan.server.service_endpoint import ServiceEndpoint
from caravan.server.cluster.members import Member
from caravan.server.state import Backend, SqliteBackend, StateStore
from caravan.server.state.backend import SharedBackend
from caravan.server.variables import VariablesEndpoint
from caravan.server.workload_identity import WorkloadIdentities
from caravan.server.worker import Worker
from caravan.structs import Evaluation
from caravan.structs.validate import DEFAULT_JOB_MAX_COUNT
from caravan.supervisor import Supervisor, TaskFailure

if TYPE_CHECKING:  # only a server of a cluster loads the etcd client
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from caravan.server.cluster.leadership import Leadership

log = logging.getLogger(__name__)


class Server:
    def __init__(self, backend: Backend, *, clock: Clock, new_id: IdGenerator,
                 region: str = "global", heartbeat_ttl_s: float = 10.0,
                 heartbeat_grace_s: float = 10.0, workers: int = 1,
                 server_dir: Path | None = None, acl_enabled: bool = False,
                 token_min_ttl_s: float = 60.0, token_max_ttl_s: float = 24 * 3600.0,
                 job_max_count: int = DEFAULT_JOB_MAX_COUNT,
                 client_introduction: ClientIntroductionConfig | None = None,
                 member: Member | None = None, leader_ttl_s: int = 5,
                 gc: GCSettings | None = None) -> None:
        self.store = StateStore(backend)
        self.events = attach(self.store)  # the event stream's broker: every commit reaches it
        self.broker = EvalBroker()
        self.core = ServerCore(store=self.store, broker=self.broker, clock=clock, new_id=new_id,
                               region=region)
        self.heartbeats = HeartbeatTracker(heartbeat_ttl_s, heartbeat_grace_s, self._node_down)
        self.jobs = JobEndpoint(self.core, max_count=job_max_count)
        self.job_changes = JobChanges(self.core, self.jobs)
        self.deployments = DeploymentEndpoint(self.core, self.jobs)
        self.deployment_watcher = DeploymentWatcher(self.core, self.deployments)
        self.periodic = PeriodicDispatcher(self.core, self.jobs)
        self.dispatcher = Dispatcher(self.core, self.jobs)
        self.drainer = Drainer(self.core)
        self.operator_config = OperatorConfig(self.core)
        self.gc = GarbageCollector(self.core, gc or GCSettings())
        key_store, intro_key = _key_stores(backend, server_dir)
        self.introductions = Introductions(
            client_introduction or ClientIntroductionConfig(), region,
            intro_key)
        self.nodes = NodeEndpoint(self.core, self.heartbeats, self.introductions)
        self.allocs = AllocEndpoint(self.core)
        self.services = ServiceEndpoint(self.core)
        self.evals = EvalEndpoint(self.core)
        self.search = SearchEndpoint(self.core)
        self.job_statuses = JobStatusesEndpoint(self.core)
        self.acl = ACLEndpoint(self.core, server_dir, enabled=acl_enabled,
                               token_min_ttl_s=token_min_ttl_s, token_max_ttl_s=token_max_ttl_s)
        self.one_time_tokens = OneTimeTokens(self.core, self.acl)
        self.namespaces = NamespaceEndpoint(self.core)
        self.keyring = Keyring(key_store, clock.now_ns)
        self.variables = VariablesEndpoint(self.core, self.keyring)
        self.identities = WorkloadIdentities(self.core, self.keyring)
        self.acl.workload_identities = self.identities.resolve
        self.exec_audit = ExecAuditEndpoint(self.core, self.nodes)
        self.applier = PlanApplier(self.store, clock, on_blocked=self._on_blocked,
                                   on_followup=self.broker.enqueue,
                                   on_capacity_freed=self.core.unblock)
        self._workers = [Worker(self.store, self.broker, self.applier, new_id, clock,
                                max_count=job_max_count)
                         for _ in range(workers)]
        self._loops = Supervisor("server")
        self._leader_tasks: list[asyncio.Task[None]] = []
        self.leadership: Leadership | None = None
        if member is not None:
            from caravan.server.cluster.leadership import Leadership
            from caravan.server.state.etcd import EtcdBackend
            if not isinstance(backend, EtcdBackend):
                raise TypeError("a cluster member needs the etcd backend")
            self.leadership = Leadership(backend, member, leader_ttl_s,
                                         store_index=lambda: self.store.index,
                                         on_gain=self._lead, on_lose=self._step_down)

    @classmethod
    def from_data_dir(cls, data_dir: Path, **kwargs: object) -> Server:
        return cls(SqliteBackend(data_dir / "server" / "state.db"),
                   server_dir=data_dir / "server", **kwargs)  # type: ignore[arg-type]

    async def start(self) -> None:
        if isinstance(self.store.backend, SharedBackend):
            self.store.backend.follow(self.store.apply_remote)
            self.keyring.follow()
        if self.leadership is None:
            await self._lead()
        else:
            self._loops.spawn(self.leadership.run(), "leadership")

    @property
    def is_leader(self) -> bool:
        return self.leadership is None or self.leadership.is_leader

    async def _lead(self) -> None:
        for ev in sorted(self.store.evals(), key=lambda e: e.create_index):
            if ev.status == "pending":
                self.broker.enqueue(ev)
            elif ev.status == "blocked":
                self._on_blocked(ev)
        # Freeing capacity and unblocking are two writes: a crash between them leaves
        # evals blocked with room for them. Give each one more pass, as on any capacity
        # change, when there is a ready node that could have that room.
        if any(node.status == "ready" for node in self.store.nodes()):
            self.core.unblock()
        for node in self.store.nodes():
            if node.status == "ready":
                self.heartbeats.failover(node.id)
        for n, worker in enumerate(self._workers):
            self._leader_tasks.append(self._loops.spawn(worker.run(), f"worker {n}"))
        self._leader_tasks.append(self._loops.spawn(self.heartbeats.run(), "heartbeats"))
        # Only the leader moves deployments on (its writes are the cluster's writes).
        self._leader_tasks.append(self._loops.spawn(self.deployment_watcher.run(),
                                                    "deployment watcher"))
        # Only the leader launches periodic children (each launch is a write).
        self._leader_tasks.append(self._loops.spawn(self.periodic.run(), "periodic launches"))
        # Only the leader marks drained nodes' allocations for migration.
        self._leader_tasks.append(self._loops.spawn(self.drainer.run(), "drainer"))
        # Only the leader collects garbage (each delete is a write).
        self._leader_tasks.append(self._loops.spawn(self.gc.run(), "garbage collection"))

    async def _step_down(self) -> None:
        """Stop the leader's loops and forget their in-memory state; the next leader
        rebuilds both from the store."""
        tasks, self._leader_tasks = self._leader_tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.broker.reset()
        self.heartbeats.clear()

    async def wait_failed(self) -> TaskFailure:
        """Returns once a worker or the heartbeat loop has died (see `Supervisor`)."""
        return await self._loops.wait_failed()

    async def stop(self) -> None:
        await self._loops.aclose()
        self.broker.close()
        self.events.close()
        self.keyring.close()
        self.store.close()

    @property
    def index(self) -> int:
        """The state's latest index."""
        return self.store.index

    async def wait_index(self, tables: tuple[str, ...], min_index: int, wait_s: float) -> int:
        """A blocking query's wait: `tables`' index once past `min_index` (0: now), or at
        the end of `wait_s`. Cancellation simply ends the wait."""
        if min_index <= 0:
            return self.store.table_index(*tables)
        return await self.store.wait_for_change(tables, min_index, wait_s)

    def stats(self) -> dict[str, object]:
        """What `/v1/agent/self` shows under `stats.nomad`."""
        return {"server": "true", "leader": str(self.is_leader).lower(), "last_index": str(self.store.index),
                "broker": self.broker.stats()}

    def _on_blocked(self, ev: Evaluation) -> None:
        older = self.broker.block(ev)
        if older is not None:
            txn = self.core.begin()
            txn.evals.append(older.model_copy(update={
                "status": "canceled",
                "status_description": "evaluation superseded by a newer blocked one"}))
            try:
                self.store.commit(txn)
            except WriteFailed as e:
                # Harmless: the newer blocked eval stands for the job; at the next start
                # the older one is found blocked and canceled then.
                log.warning("could not cancel superseded blocked evaluation %s: %s",
                            older.id, e.message)

    def _node_down(self, node_id: str) -> None:
        self.nodes.node_down(node_id)


def _key_stores(backend: Backend, server_dir: Path | None
                ) -> tuple[KeyStore, Ed25519PrivateKey]:
    """Root keys and the introduction key: in etcd when servers share it (every
    server must hold the same ones), else in this server's data dir."""
    directory = server_dir / "keyring" if server_dir else None
    if isinstance(backend, SharedBackend):  # checked first: etcd.py imports gRPC
        from caravan.server.state.etcd import EtcdBackend
        if isinstance(backend, EtcdBackend):
            from caravan.server.cluster.shared_keys import EtcdKeyStore, shared_intro_key
            seed = DirKeyStore(directory).load() if directory else []
            intro = directory / INTRO_KEY_FILE if directory else None
            return EtcdKeyStore(backend.conn, seed), shared_intro_key(backend.conn, intro)
    store = DirKeyStore(directory) if directory else MemoryKeyStore()
    return store, load_or_create_key(directory)
