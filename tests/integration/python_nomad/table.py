"""The one table: every public python-nomad call, how it is made and what must come back.

Each row is `Call(name, run, owner)`: `name` is the attribute path from a `nomad.Nomad`
object ("client.stats.read_stats"), `run(world)` makes the call as a python-nomad user
would and asserts on the answer's shape (the fields python-nomad's caller reads, as
Nomad's structs name them), or on Nomad's exact error where a CE server refuses the call.
`owner` names the helper whose route the call needs while it is still being built; such
rows are expected to fail until that work is merged."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.integration.python_nomad import (
    calls_acl,
    calls_agent,
    calls_alloc,
    calls_cluster,
    calls_deploy,
    calls_job,
)
from tests.integration.python_nomad.world import World


@dataclass(frozen=True)
class Call:
    name: str
    run: Callable[[World], None]
    owner: str | None = None  # the helper building the route this call needs


def _rows(module: object) -> list[Call]:
    return [Call(name, run, owner) for name, run, owner in module.ROWS]  # type: ignore[attr-defined]


TABLE: list[Call] = [
    *_rows(calls_acl), *_rows(calls_agent), *_rows(calls_job), *_rows(calls_alloc),
    *_rows(calls_deploy), *_rows(calls_cluster),
]
