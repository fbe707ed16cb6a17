"""The server: builds the store, broker, workers and endpoints, and owns their loops.

    start():  load state ─▶ re-queue pending evals, park blocked ones ─▶ give every
              ready node a fresh heartbeat deadline ─▶ start workers + heartbeat loop
    stop():   cancel the loops (each awaited), close the store

The loops belong to a `Supervisor`: one that dies is logged and `wait_failed()`
returns, so the agent stops instead of serving without a scheduler or heartbeats.
"""

from __future__ import annotations

import logging
from pathlib import Path

from caravan.clock import Clock
from caravan.ids import IdGenerator
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.alloc_endpoint import AllocEndpoint
from caravan.server.namespace_endpoint import NamespaceEndpoint
from caravan.server.core import ServerCore
from caravan.server.eval_broker import EvalBroker
from caravan.server.eval_endpoint import EvalEndpoint
from caravan.server.heartbeat import HeartbeatTracker
from caravan.server.job_endpoint import JobEndpoint
from caravan.server.node_endpoint import NodeEndpoint
from caravan.server.plan_apply import PlanApplier
from caravan.server.state import Backend, SqliteBackend, StateStore
from caravan.server.worker import Worker
from caravan.structs import Evaluation
from caravan.supervisor import Supervisor, TaskFailure

log = logging.getLogger(__name__)


class Server:
    def __init__(self, backend: Backend, *, clock: Clock, new_id: IdGenerator,
                 region: str = "global", heartbeat_ttl_s: float = 10.0,
                 heartbeat_grace_s: float = 10.0, workers: int = 1,
                 server_dir: Path | None = None, acl_enabled: bool = False,
                 token_min_ttl_s: float = 60.0, token_max_ttl_s: float = 24 * 3600.0) -> None:
        self.store = StateStore(backend)
        self.broker = EvalBroker()
        self.core = ServerCore(store=self.store, broker=self.broker, clock=clock, new_id=new_id,
                               region=region)
        self.heartbeats = HeartbeatTracker(heartbeat_ttl_s, heartbeat_grace_s, self._node_down)
        self.jobs = JobEndpoint(self.core)
        self.nodes = NodeEndpoint(self.core, self.heartbeats)
        self.allocs = AllocEndpoint(self.core)
        self.evals = EvalEndpoint(self.core)
        self.acl = ACLEndpoint(self.core, server_dir, enabled=acl_enabled,
                               token_min_ttl_s=token_min_ttl_s, token_max_ttl_s=token_max_ttl_s)
        self.namespaces = NamespaceEndpoint(self.core)
        self.applier = PlanApplier(self.store, clock, on_blocked=self._on_blocked,
                                   on_followup=self.broker.enqueue,
                                   on_capacity_freed=self.core.unblock)
        self._workers = [Worker(self.store, self.broker, self.applier, new_id, clock)
                         for _ in range(workers)]
        self._loops = Supervisor("server")

    @classmethod
    def from_data_dir(cls, data_dir: Path, **kwargs: object) -> Server:
        return cls(SqliteBackend(data_dir / "server" / "state.db"),
                   server_dir=data_dir / "server", **kwargs)  # type: ignore[arg-type]

    async def start(self) -> None:
        for ev in sorted(self.store.evals(), key=lambda e: e.create_index):
            if ev.status == "pending":
                self.broker.enqueue(ev)
            elif ev.status == "blocked":
                self._on_blocked(ev)
        for node in self.store.nodes():
            if node.status == "ready":
                self.heartbeats.reset(node.id)
        for n, worker in enumerate(self._workers):
            self._loops.spawn(worker.run(), f"worker {n}")
        self._loops.spawn(self.heartbeats.run(), "heartbeats")

    async def wait_failed(self) -> TaskFailure:
        """Returns once a worker or the heartbeat loop has died (see `Supervisor`)."""
        return await self._loops.wait_failed()

    async def stop(self) -> None:
        await self._loops.aclose()
        self.broker.close()
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
        return {"server": "true", "leader": "true", "last_index": str(self.store.index),
                "broker": self.broker.stats()}

    def _on_blocked(self, ev: Evaluation) -> None:
        older = self.broker.block(ev)
        if older is not None:
            txn = self.core.begin()
            txn.evals.append(older.model_copy(update={
                "status": "canceled",
                "status_description": "evaluation superseded by a newer blocked one"}))
            self.store.commit(txn)

    def _node_down(self, node_id: str) -> None:
        self.nodes.node_down(node_id)
