"""Nodes: reads; writes from clients (register, heartbeat, alloc status updates); node-down."""

from __future__ import annotations

import logging

from caravan.errors import NotFound, PermissionDenied
from caravan.server.core import ServerCore
from caravan.server.heartbeat import HeartbeatTracker
from caravan.server.scheduler.reschedule import failure_needs_eval
from caravan.server.services import sync_registrations
from caravan.server.introduction import Introductions
from caravan.structs import AllocClientUpdate, AllocDeploymentStatus, Allocation, Job, Node

log = logging.getLogger(__name__)

_NS = 1_000_000_000


class NodeEndpoint:
    def __init__(self, core: ServerCore, heartbeats: HeartbeatTracker,
                 introductions: Introductions) -> None:
        self._core = core
        self._heartbeats = heartbeats
        self.introductions = introductions

    # ---- reads (callers are authorized by the HTTP layer) ------------------------------

    def list_nodes(self, prefix: str = "") -> list[Node]:
        """Nodes whose ID starts with `prefix`, oldest registration first."""
        return sorted((n for n in self._core.store.nodes() if n.id.startswith(prefix)),
                      key=lambda n: n.create_index)

    def find(self, node_id: str) -> Node | None:
        return self._core.store.node(node_id)

    def get(self, node_id: str) -> Node:
        node = self.find(node_id)
        if node is None:
            raise NotFound("node not found")
        return node

    def allocations(self, node_id: str) -> list[Allocation]:
        """Full allocations (with their Job), oldest first."""
        return sorted(self._core.store.allocs_by_node(node_id), key=lambda a: a.create_index)

    # ---- writes from clients ---------------------------------------------------------------

    def authenticate(self, node_id: str, secret: str) -> Node:
        """The node, if `secret` is its secret; the same error either way to avoid probing."""
        node = self._core.store.node(node_id)
        if node is None:
            raise NotFound(f'Unknown node "{node_id}"')
        if not self._core.store.node_secret_matches(node_id, secret):
            raise PermissionDenied()
        return node

    def register(self, node: Node, secret: str, intro_token: str = "") -> tuple[int, int]:
        """Store the node as ready; returns (heartbeat TTL ns, index).

        A known node proves itself with its secret; a node ID never seen before is
        admitted (or not) by client introduction, with `intro_token`."""
        core = self._core
        existing = core.store.node(node.id)
        if existing is not None and not core.store.node_secret_matches(node.id, secret):
            raise PermissionDenied()
        if not secret:
            raise PermissionDenied("node registration requires a node secret")
        if existing is None:
            self.introductions.admit(node, intro_token)
        txn = core.begin()
        # Eligibility and drain are the operator's, kept when the client registers again.
        kept = {} if existing is None else {
            "scheduling_eligibility": existing.scheduling_eligibility, "drain": existing.drain,
            "drain_strategy": existing.drain_strategy, "last_drain": existing.last_drain}
        node = node.model_copy(update={
            "status": "ready", "status_description": "",
            "status_updated_at": core.clock.now_ns() // _NS, **kept})
        txn.nodes.append(node)
        if existing is None:
            txn.node_secrets[node.id] = secret
        txn.evals.extend(self._system_job_evals(node, "node-register"))
        index = core.commit_and_enqueue(txn)
        ttl = self._heartbeats.reset(node.id)
        core.unblock()
        return int(ttl * _NS), index

    def heartbeat(self, node_id: str, secret: str) -> int:
        node = self.authenticate(node_id, secret)
        ttl = self._heartbeats.reset(node_id)
        if node.status != "ready":
            txn = self._core.begin()
            txn.nodes.append(node.model_copy(update={"status": "ready"}))
            txn.evals.extend(self._system_job_evals(node, "node-update"))
            self._core.commit_and_enqueue(txn)
            self._core.unblock()
        return int(ttl * _NS)

    def node_down(self, node_id: str) -> None:
        """Heartbeat missed: mark the node down and re-evaluate every job with allocs there."""
        core = self._core
        node = core.store.node(node_id)
        if node is None or node.status == "down":
            return
        txn = core.begin()
        txn.nodes.append(node.model_copy(update={
            "status": "down", "status_description": "node heartbeat missed",
            "status_updated_at": core.clock.now_ns() // _NS}))
        seen: set[tuple[str, str]] = set()
        for alloc in core.store.allocs_by_node(node_id):
            key = (alloc.namespace, alloc.job_id)
            job = core.store.job(*key)
            if alloc.terminal() or key in seen or job is None:
                continue
            seen.add(key)
            txn.evals.append(core.new_eval(job, "node-update", node_id=node_id))
        core.commit_and_enqueue(txn)

    def update_allocs(self, node_id: str, secret: str, updates: list[AllocClientUpdate]) -> int:
        core = self._core
        self.authenticate(node_id, secret)
        txn = core.begin()
        freed = False
        failed_jobs: dict[tuple[str, str], Job] = {}
        for update in updates:
            alloc = core.store.alloc(update.id)
            if alloc is None or alloc.node_id != node_id:
                continue  # a node may only report on its own allocations
            changed = _apply_update(alloc, update)
            txn.allocs.append(changed)
            txn.services.update(sync_registrations(
                core.store.services.by_alloc(alloc.id), changed,
                update.services))
            if changed.client_terminal() and not alloc.client_terminal():
                freed = True
                if changed.client_status == "failed" and alloc.job is not None:
                    job = core.store.job(alloc.namespace, alloc.job_id)
                    if (job is not None and not job.stop
                            and failure_needs_eval(changed, job, core.clock.now_ns())):
                        failed_jobs[(job.namespace, job.id)] = job
        for job in failed_jobs.values():
            txn.evals.append(core.new_eval(job, "alloc-failure"))
        if not txn.allocs:
            return core.store.index
        index = core.commit_and_enqueue(txn)
        if freed:
            core.unblock()
        return index

    def _system_job_evals(self, node: Node, trigger: str) -> list:  # type: ignore[type-arg]
        core = self._core
        return [core.new_eval(job, trigger, node_id=node.id) for job in core.store.jobs("*")
                if job.type in ("system", "sysbatch") and not job.stop]


def _apply_update(alloc: Allocation, update: AllocClientUpdate) -> Allocation:
    fields: dict[str, object] = {"client_status": update.client_status,
                                 "client_description": update.client_description}
    if update.task_states is not None:
        fields["task_states"] = update.task_states
    reported = update.deployment_status
    if reported is not None and reported.healthy is not None and _watched(alloc):
        # The client decides health; whether it is a canary is the scheduler's word.
        known = alloc.deployment_status or AllocDeploymentStatus()
        if known.healthy != reported.healthy:
            fields["deployment_status"] = known.model_copy(update={
                "healthy": reported.healthy, "timestamp": reported.timestamp})
    return alloc.model_copy(update=fields)


def _watched(alloc: Allocation) -> bool:
    """Health counts in a deployment, and for a service group's `migrate` pacing."""
    if alloc.deployment_id:
        return True
    group = alloc.job.group(alloc.task_group) if alloc.job is not None else None
    return group is not None and group.migrate is not None
