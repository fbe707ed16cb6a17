"""The worker: dequeue an evaluation, schedule it on a snapshot, submit the plan.

The scheduler is pure and CPU-bound, so it runs in a thread on a snapshot while
the event loop keeps serving requests; plan application happens back on the loop.

A failed state write (`WriteFailed`: the disk is full, ...) is not the evaluation's
fault: the worker keeps the evaluation, waits and processes it again, so it is
placed as soon as the write can succeed. Any other error marks the evaluation failed.
"""

from __future__ import annotations

import asyncio
import logging

from caravan.clock import Clock
from caravan.errors import WriteFailed
from caravan.ids import IdGenerator
from caravan.server.eval_broker import EvalBroker
from caravan.server.plan_apply import PlanApplier
from caravan.server.scheduler import schedule
from caravan.server.state import StateStore
from caravan.server.state.scheduler_config_table import TABLE as SCHEDULER_CONFIG_TABLE
from caravan.server.write_retry import retry_delay_s
from caravan.structs import Evaluation, Job
from caravan.structs.validate import DEFAULT_JOB_MAX_COUNT

log = logging.getLogger(__name__)

MAX_PLAN_RETRIES = 5
_PAUSE_POLL_S = 5.0


class Worker:
    def __init__(self, store: StateStore, broker: EvalBroker, applier: PlanApplier,
                 new_id: IdGenerator, clock: Clock,
                 max_count: int = DEFAULT_JOB_MAX_COUNT) -> None:
        self._store = store
        self._max_count = max_count
        self._broker = broker
        self._applier = applier
        self._new_id = new_id
        self._clock = clock

    async def run(self) -> None:
        """Process evaluations until cancelled; a failing eval is marked failed, never lost."""
        while True:
            ev = await self._broker.dequeue()
            try:
                await self._wait_unpaused()
                if self._store.eval(ev.id) is not None:  # not deleted while paused
                    await self._settle(ev)
            finally:
                self._broker.ack(ev)

    async def _wait_unpaused(self) -> None:
        """The operator paused the eval broker: evaluations stay pending until resumed."""
        index = 0
        while self._store.scheduler_config.get().pause_eval_broker:
            seen = await self._store.wait_for_change((SCHEDULER_CONFIG_TABLE,), index,
                                                     _PAUSE_POLL_S)
            if seen == index:  # a timeout, or a store stopping (answers at once): yield
                await asyncio.sleep(0.1)
            index = seen

    async def _settle(self, ev: Evaluation) -> None:
        """Process `ev` until its outcome is stored, retrying while writes fail."""
        failures = 0
        while True:
            try:
                await self._process_or_fail(ev)
                return
            except WriteFailed as e:
                failures += 1
                delay = retry_delay_s(failures)
                log.warning("evaluation %s: %s; processing it again in %.2fs",
                            ev.id, e.message, delay)
                await asyncio.sleep(delay)
                if self._settled(ev):
                    return

    async def _process_or_fail(self, ev: Evaluation) -> None:
        try:
            await self._process(ev)
        except WriteFailed:
            raise
        except Exception:  # one bad eval must not stop scheduling for every other job
            log.exception("evaluation %s failed", ev.id)
            self._mark_failed(ev)

    def _settled(self, ev: Evaluation) -> bool:
        """Whether a retry is moot: an earlier attempt's plan and eval update were applied."""
        stored = self._store.eval(ev.id)
        return stored is not None and stored.status != ev.status

    async def _process(self, ev: Evaluation) -> None:
        refused = _over_count(self._store.job(ev.namespace, ev.job_id), self._max_count)
        if refused is not None:
            # A job stored before the submit-time bound (or with a larger one): scheduling it
            # would build that many placements in a thread nothing can cancel.
            self._mark_failed(ev, refused)
            return
        for _ in range(MAX_PLAN_RETRIES):
            snapshot = self._store.snapshot()
            result = await asyncio.to_thread(schedule, ev, snapshot, new_id=self._new_id,
                                             clock=self._clock)
            outcome = self._applier.apply(result)
            if not outcome.needs_retry:
                return
        raise RuntimeError(f"plan for eval {ev.id} kept conflicting after "
                           f"{MAX_PLAN_RETRIES} attempts")

    def _mark_failed(self, ev: Evaluation,
                     description: str = "evaluation failed in the worker") -> None:
        failed = ev.model_copy(update={"status": "failed", "status_description": description})
        txn = self._store.begin(self._clock.now_ns())
        txn.evals.append(failed)
        self._store.commit(txn)


def _over_count(job: Job | None, max_count: int) -> str | None:
    for group in job.task_groups if job is not None and not job.stop else []:
        if (group.count or 0) > max_count:
            return (f'task group "{group.name}" asks for count {group.count}, above this '
                    f"server's limit of {max_count} (server job_max_count)")
    return None
