"""The eval broker: hands pending evaluations to workers, one at a time per job.

    enqueue ──▶ (delayed until WaitUntil) ──▶ ready queue ──▶ dequeue (worker) ──▶ ack
                                   ▲                                           │
                          pending per job  ◀── a second eval of a busy job ────┘
    block ──▶ blocked (one per job) ──▶ unblock_all ──▶ (server marks pending, enqueues)

Evaluations of one job never run concurrently, so two workers cannot race on
the same job; evaluations of different jobs do. Not thread-safe: event loop only.
"""

from __future__ import annotations

import asyncio
from collections import deque
from datetime import datetime

from caravan.server.state.txn import job_key
from caravan.structs import Evaluation


class EvalBroker:
    def __init__(self) -> None:
        self._ready: asyncio.Queue[Evaluation] = asyncio.Queue()
        self._in_flight: set[str] = set()
        self._waiting: dict[str, deque[Evaluation]] = {}
        self._blocked: dict[str, Evaluation] = {}
        self._timers: set[asyncio.TimerHandle] = set()

    def enqueue(self, ev: Evaluation) -> None:
        delay = _seconds_until(ev.wait_until)
        if delay > 0:
            loop = asyncio.get_running_loop()
            handle: asyncio.TimerHandle | None = None

            def fire() -> None:
                if handle is not None:
                    self._timers.discard(handle)
                self._enqueue_now(ev)

            handle = loop.call_later(delay, fire)
            self._timers.add(handle)
            return
        self._enqueue_now(ev)

    def _enqueue_now(self, ev: Evaluation) -> None:
        key = job_key(ev.namespace, ev.job_id)
        if key in self._in_flight:
            self._waiting.setdefault(key, deque()).append(ev)
            return
        self._in_flight.add(key)
        self._ready.put_nowait(ev)

    async def dequeue(self) -> Evaluation:
        return await self._ready.get()

    def ack(self, ev: Evaluation) -> None:
        """The worker is done with `ev`: release its job, start that job's next eval."""
        key = job_key(ev.namespace, ev.job_id)
        waiting = self._waiting.get(key)
        if waiting:
            self._ready.put_nowait(waiting.popleft())
            if not waiting:
                del self._waiting[key]
            return
        self._in_flight.discard(key)

    def block(self, ev: Evaluation) -> Evaluation | None:
        """Park a blocked eval; returns the job's older blocked eval it replaces, if any."""
        key = job_key(ev.namespace, ev.job_id)
        older = self._blocked.get(key)
        self._blocked[key] = ev
        return older if older is not None and older.id != ev.id else None

    def take_blocked(self, namespace: str | None = None, job_id: str | None = None
                     ) -> list[Evaluation]:
        """Remove and return blocked evals: all of them, or the one of a job."""
        if job_id is not None and namespace is not None:
            found = self._blocked.pop(job_key(namespace, job_id), None)
            return [found] if found is not None else []
        taken = list(self._blocked.values())
        self._blocked.clear()
        return taken

    def stats(self) -> dict[str, int]:
        return {"ready": self._ready.qsize(), "in_flight": len(self._in_flight),
                "blocked": len(self._blocked), "delayed": len(self._timers)}

    def reset(self) -> None:
        """Forget every eval (this server stopped leading; the next leader re-reads them)."""
        self.close()
        self._ready = asyncio.Queue()
        self._in_flight.clear()
        self._waiting.clear()
        self._blocked.clear()

    def close(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()


def _seconds_until(rfc3339: str) -> float:
    if not rfc3339 or rfc3339.startswith("0001-"):
        return 0.0
    when = datetime.fromisoformat(rfc3339.replace("Z", "+00:00"))
    return when.timestamp() - datetime.now(tz=when.tzinfo).timestamp()
