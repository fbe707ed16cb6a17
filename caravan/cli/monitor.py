"""The evaluation monitor `job run`, `job stop` and `alloc stop` end with.

It follows one evaluation with blocking queries until it is terminal, printing what
changed (allocations created, status transitions) and, if some task groups could
not be placed, why. Exit code: 0 placed, 2 placement failure, 1 any other error.
`eval_changes` is the pure part: two snapshots in, message lines out.

    ==> <ts>: Monitoring evaluation "<id8>"
        <ts>: Evaluation triggered by job "<job>"
        <ts>: Allocation "<id8>" created: node "<node8>", group "<group>"
        <ts>: Evaluation status changed: "pending" -> "complete"
    ==> <ts>: Evaluation "<id8>" finished with status "complete"
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from caravan.api import Client, QueryOptions
from caravan.cli.common import Ui
from caravan.cli.formatting import format_unix_nano, go_duration, limit
from caravan.cli.placement import failed_group_header, failed_groups, format_alloc_metrics
from caravan.errors import CaravanError
from caravan.structs import AllocListStub, Evaluation

# How long one blocking query may wait for the evaluation to change.
WAIT_TIME_S = 5.0
# Pause before asking again when an answer came back without anything changing
# (an agent that ignores blocking queries must not be polled in a tight loop).
IDLE_PAUSE_S = 0.5


@dataclass(frozen=True)
class AllocSnapshot:
    id: str
    group: str
    node: str
    desired: str
    client: str
    client_description: str
    create_index: int


@dataclass
class EvalSnapshot:
    status: str = "pending"
    node: str = ""
    job: str = ""
    deployment: str = ""
    create_index: int = 0
    allocs: dict[str, AllocSnapshot] = field(default_factory=dict)

    @classmethod
    def of(cls, ev: Evaluation, allocs: Sequence[AllocListStub]) -> EvalSnapshot:
        return cls(
            status=ev.status, node=ev.node_id, job=ev.job_id, deployment=ev.deployment_id,
            create_index=ev.create_index,
            allocs={a.id: AllocSnapshot(a.id, a.task_group, a.node_id, a.desired_status,
                                        a.client_status, a.client_description, a.create_index)
                    for a in allocs},
        )


def eval_changes(old: EvalSnapshot, new: EvalSnapshot, length: int) -> list[str]:
    """What a user should be told about the step from `old` to `new` (no timestamps)."""
    lines: list[str] = []
    if not old.node and new.node:
        lines.append(f'Evaluation triggered by node "{limit(new.node, length)}"')
    if not old.job and new.job:
        lines.append(f'Evaluation triggered by job "{new.job}"')
    if not old.deployment and new.deployment:
        lines.append(f'Evaluation within deployment: "{limit(new.deployment, length)}"')
    for alloc in new.allocs.values():
        lines.extend(_alloc_change(old.allocs.get(alloc.id), alloc, new.create_index, length))
    if new.status != "pending" and old.status != new.status:
        lines.append(f'Evaluation status changed: "{old.status}" -> "{new.status}"')
    return lines


def _alloc_change(
    before: AllocSnapshot | None, alloc: AllocSnapshot, eval_index: int, length: int
) -> list[str]:
    where = f'node "{limit(alloc.node, length)}", group "{alloc.group}"'
    if before is None:
        if alloc.create_index < eval_index:  # older than the eval: it was updated
            return [f'Allocation "{limit(alloc.id, length)}" modified: {where}']
        if alloc.desired == "run":
            return [f'Allocation "{limit(alloc.id, length)}" created: {where}']
        return []
    if before.client != alloc.client:
        desc = f" ({alloc.client_description})" if alloc.client_description else ""
        return [f'Allocation "{limit(alloc.id, length)}" status changed: '
                f'"{before.client}" -> "{alloc.client}"{desc}']
    return []


class EvalMonitor:
    """Follows evaluations for one command run; not for concurrent use."""

    def __init__(
        self, client: Client, ui: Ui, length: int,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._ui = ui
        self._length = length
        self._sleep = sleep
        self.deployment_id = ""  # of the last evaluation followed, for `job run`

    def monitor(self, eval_id: str) -> int:
        """Follow `eval_id` (and any NextEval chained from it); return the exit code."""
        self._info(f'Monitoring evaluation "{limit(eval_id, self._length)}"')
        followed = self._follow(eval_id)
        if followed is None:
            return 1
        ev = followed
        self.deployment_id = ev.deployment_id or self.deployment_id
        failed = self._report_finish(ev)
        if ev.next_eval:
            if ev.wait:
                self._info(f'Monitoring next evaluation "{limit(ev.next_eval, self._length)}"'
                           f" in {go_duration(ev.wait)}")
                self._sleep(ev.wait / 1e9)
            return self.monitor(ev.next_eval)
        return 2 if failed else 0

    def _follow(self, eval_id: str) -> Evaluation | None:
        state = EvalSnapshot()
        index = 0
        while True:
            try:
                q = QueryOptions(wait_index=index, wait_time=WAIT_TIME_S)
                ev, meta = self._client.evaluations.info(eval_id, q)
            except CaravanError:
                self._ui.error(f'==> No evaluation with id "{eval_id}" found')
                return None
            try:
                allocs, _ = self._client.evaluations.allocations(ev.id)
            except CaravanError as exc:
                self._ui.error(f"==> {self._ts()}: Error reading allocations: {exc}")
                return None
            new = EvalSnapshot.of(ev, allocs)
            for line in eval_changes(state, new, self._length):
                self._output(line)
            state = new
            if ev.terminal():
                return ev
            if meta.last_index <= index:
                self._sleep(IDLE_PAUSE_S)
            index = max(index, meta.last_index)

    def _report_finish(self, ev: Evaluation) -> bool:
        """Print how the evaluation ended; True if some allocations were not placed."""
        short = limit(ev.id, self._length)
        if not ev.failed_tg_allocs:
            self._info(f'Evaluation "{short}" finished with status "{ev.status}"')
            return False
        self._info(f'Evaluation "{short}" finished with status "{ev.status}" '
                   "but failed to place all allocations:")
        for group, metric in failed_groups(ev):
            self._output(failed_group_header(group, metric))
            for line in format_alloc_metrics(metric, "  "):
                self._ui.output(f"    {line}")
        if ev.blocked_eval:
            self._output(f'Evaluation "{limit(ev.blocked_eval, self._length)}" '
                         "waiting for additional capacity to place remainder")
        return True

    def _ts(self) -> str:
        return format_unix_nano(self._ui.now_ns())

    def _info(self, text: str) -> None:
        self._ui.output(f"==> {self._ts()}: {text}")

    def _output(self, text: str) -> None:
        self._ui.output(f"    {self._ts()}: {text}")
