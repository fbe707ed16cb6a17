"""What an allocation's tasks reserve together, by Nomad's lifecycle rule: tasks that never
run at the same time do not add up.

    reserved = prestart sidecars + max(prestart tasks, main + poststart tasks, poststop tasks)

taken per dimension (cpu, memory): an ephemeral prestart task has finished before the
main tasks start, and poststop tasks run once they have stopped.
"""

from __future__ import annotations

from collections.abc import Iterable

from caravan.structs.job import TaskLifecycleConfig

Usage = tuple[int, int]  # (cpu MHz, memory MB)


def combined(tasks: Iterable[tuple[TaskLifecycleConfig | None, int, int]]) -> Usage:
    """`tasks`: (lifecycle, cpu, memory) of each task of one allocation."""
    sidecars, prestart, main, poststop = [0, 0], [0, 0], [0, 0], [0, 0]
    for lifecycle, cpu, memory in tasks:
        hook = lifecycle.hook if lifecycle is not None else ""
        if hook == "prestart":
            bucket = sidecars if lifecycle is not None and lifecycle.sidecar else prestart
        elif hook == "poststop":
            bucket = poststop
        else:  # main and poststart tasks run together
            bucket = main
        bucket[0] += cpu
        bucket[1] += memory
    return (sidecars[0] + max(prestart[0], main[0], poststop[0]),
            sidecars[1] + max(prestart[1], main[1], poststop[1]))
