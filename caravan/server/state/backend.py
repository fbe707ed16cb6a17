"""The durable side of the state store: what a backend must do, not how.

The store keeps every table in memory and answers reads from there; a backend
only persists committed changes and loads them back at start. One `commit()` is
one transaction at one global index, so a backend built on etcd can map its
revision onto the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from collections.abc import Callable
from typing import Protocol, runtime_checkable


@dataclass
class Change:
    """Rows written by one transaction. Values are JSON text; `None` deletes the key."""

    index: int
    rows: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def put(self, table: str, key: str, value: str) -> None:
        self.rows[(table, key)] = value

    def delete(self, table: str, key: str) -> None:
        self.rows[(table, key)] = None


@dataclass
class Loaded:
    index: int
    rows: dict[str, dict[str, str]]  # table -> key -> JSON


class Backend(Protocol):
    def load(self) -> Loaded:
        """Every stored row and the last committed index (0 for a new store)."""
        ...

    def commit(self, change: Change) -> None:
        """Persist `change` atomically; on return it survives a crash."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class SharedBackend(Backend, Protocol):
    """A backend other servers write too (etcd): it hands their commits to `apply`."""

    def follow(self, apply: Callable[[Change], bool]) -> None:
        """From the running loop: call `apply` on it for every commit after `load()`."""
        ...
