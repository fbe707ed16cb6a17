"""What every server endpoint shares: the store, the broker, the clock, IDs, and eval plumbing."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from caravan.clock import Clock
from caravan.errors import WriteFailed
from caravan.ids import IdGenerator
from caravan.server.eval_broker import EvalBroker
from caravan.server.state import StateStore, Txn
from caravan.structs import Evaluation, Job

log = logging.getLogger(__name__)


@dataclass
class ServerCore:
    store: StateStore
    broker: EvalBroker
    clock: Clock
    new_id: IdGenerator
    region: str = "global"

    def new_eval(self, job: Job, triggered_by: str, **fields: object) -> Evaluation:
        return Evaluation(
            id=self.new_id(), namespace=job.namespace, priority=job.priority, type=job.type,
            triggered_by=triggered_by, job_id=job.id, job_modify_index=job.job_modify_index,
            status="pending", **fields,
        )

    def begin(self) -> Txn:
        return self.store.begin(self.clock.now_ns())

    def commit_and_enqueue(self, txn: Txn) -> int:
        """Commit `txn`, then hand each pending eval in it to the broker."""
        index = self.store.commit(txn)
        for ev in txn.evals:
            if ev.status == "pending":
                self.broker.enqueue(ev)
        return index

    def unblock(self, evals: Iterable[Evaluation] | None = None) -> None:
        """Capacity or nodes changed: give blocked evaluations another pass.

        Called after the write that freed the capacity succeeded, so a failure here must
        not fail that caller: the evals stay blocked (in the store and in the broker) and
        the next capacity change tries again.
        """
        blocked = list(evals) if evals is not None else self.broker.take_blocked()
        if not blocked:
            return
        txn = self.begin()
        for ev in blocked:
            current = self.store.eval(ev.id) or ev
            if current.status == "blocked":
                txn.evals.append(current.model_copy(update={"status": "pending"}))
        if not txn.evals:
            return
        try:
            self.commit_and_enqueue(txn)
        except WriteFailed as e:
            log.warning("could not unblock %d evaluations: %s; they stay blocked",
                        len(txn.evals), e.message)
            for ev in blocked:
                self.broker.block(ev)

    def cancel_blocked(self, namespace: str, job_id: str, txn: Txn) -> None:
        """A newer eval for the job supersedes its blocked one."""
        for ev in self.broker.take_blocked(namespace, job_id):
            txn.evals.append(ev.model_copy(update={
                "status": "canceled",
                "status_description": "evaluation superseded by a newer one for the job"}))
