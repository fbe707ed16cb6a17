"""When each task of a group may start: Nomad's lifecycle hooks (`prestart`, `poststart`,
`poststop`, each ephemeral or a `sidecar`).

    init ─▶ prestart ─▶ main ─▶ poststart ─▶ wait for the alloc ─▶ poststop
            (ephemeral  (every ephemeral prestart      (every task but the poststop
             and sidecar succeeded, every prestart       ones is dead)
             start)      sidecar runs)

Each stage has a gate; a task runner waits at its stage's gate before every start
(restarts included). The coordinator only opens and closes gates from the tasks'
states: which tasks to kill, and when, stays with the alloc runner. A prestart task
that fails for good fails the allocation there (its siblings are killed unstarted).
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Iterable, Mapping

from caravan.structs import Task, TaskState


class Stage(enum.Enum):
    PRESTART = "prestart"
    PRESTART_SIDECAR = "prestart sidecar"
    MAIN = "main"
    POSTSTART = "poststart"
    POSTSTART_SIDECAR = "poststart sidecar"
    POSTSTOP = "poststop"


def stage_of(task: Task) -> Stage:
    lifecycle = task.lifecycle
    if lifecycle is None or not lifecycle.hook:
        return Stage.MAIN
    if lifecycle.hook == "poststop":
        return Stage.POSTSTOP
    if lifecycle.hook == "poststart":
        return Stage.POSTSTART_SIDECAR if lifecycle.sidecar else Stage.POSTSTART
    return Stage.PRESTART_SIDECAR if lifecycle.sidecar else Stage.PRESTART


def is_sidecar(task: Task) -> bool:
    return stage_of(task) in (Stage.PRESTART_SIDECAR, Stage.POSTSTART_SIDECAR)


class _Phase(enum.IntEnum):
    INIT = 0
    PRESTART = 1
    MAIN = 2
    POSTSTART = 3
    WAIT_ALLOC = 4
    POSTSTOP = 5


# Which stages may start in each phase (every other gate is closed).
_OPEN: dict[_Phase, frozenset[Stage]] = {
    _Phase.INIT: frozenset(),
    _Phase.PRESTART: frozenset({Stage.PRESTART, Stage.PRESTART_SIDECAR}),
    _Phase.MAIN: frozenset({Stage.PRESTART_SIDECAR, Stage.MAIN}),
    _Phase.POSTSTART: frozenset({Stage.PRESTART_SIDECAR, Stage.MAIN, Stage.POSTSTART,
                                 Stage.POSTSTART_SIDECAR}),
    _Phase.WAIT_ALLOC: frozenset({Stage.PRESTART_SIDECAR, Stage.MAIN, Stage.POSTSTART_SIDECAR}),
    _Phase.POSTSTOP: frozenset({Stage.POSTSTOP}),
}


class Coordinator:
    def __init__(self, tasks: Iterable[Task]) -> None:
        self._by_stage: dict[Stage, list[str]] = {}
        for task in tasks:
            self._by_stage.setdefault(stage_of(task), []).append(task.name)
        self._gates = {stage: asyncio.Event() for stage in Stage}
        self._phase = _Phase.INIT

    def gate(self, task: Task) -> asyncio.Event:
        """Set while `task` may start."""
        return self._gates[stage_of(task)]

    def update(self, states: Mapping[str, TaskState]) -> None:
        """Move through as many phases as the tasks' states allow, opening their gates."""
        while (following := self._next(states)) != self._phase:
            self._phase = following
        for stage, gate in self._gates.items():
            if stage in _OPEN[self._phase]:
                gate.set()
            else:
                gate.clear()

    def _next(self, states: Mapping[str, TaskState]) -> _Phase:
        if self._all_dead_but_poststop(states):
            return _Phase.POSTSTOP
        phase = self._phase
        done = {
            # An agent restart may find tasks past "pending": those re-attach on their own.
            _Phase.INIT: True,
            _Phase.PRESTART: self._prestart_done(states),
            _Phase.MAIN: all(states[n].state != "pending" for n in self._names(Stage.MAIN)),
            _Phase.POSTSTART: all(states[n].state == "dead"
                                  for n in self._names(Stage.POSTSTART)),
            _Phase.WAIT_ALLOC: False,
            _Phase.POSTSTOP: False,
        }[phase]
        return _Phase(phase + 1) if done else phase

    def _prestart_done(self, states: Mapping[str, TaskState]) -> bool:
        return all(states[n].state == "dead" and not states[n].failed
                   for n in self._names(Stage.PRESTART)) and all(
            states[n].state == "running" for n in self._names(Stage.PRESTART_SIDECAR))

    def _all_dead_but_poststop(self, states: Mapping[str, TaskState]) -> bool:
        return all(states[n].state == "dead" for stage, names in self._by_stage.items()
                   if stage is not Stage.POSTSTOP for n in names)

    def _names(self, stage: Stage) -> list[str]:
        return self._by_stage.get(stage, [])
