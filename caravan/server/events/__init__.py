"""Nomad's event stream: the broker fed by every commit, and what subscribers see."""

from __future__ import annotations

from typing import TYPE_CHECKING

from caravan.server.events.broker import DEFAULT_BUFFER_SIZE, EventBroker, Lost
from caravan.server.events.before import state_before
from caravan.server.state.backend import Change

if TYPE_CHECKING:
    from caravan.server.state.store import StateStore

__all__ = ["EventBroker", "Lost", "attach"]


def attach(store: StateStore, size: int = DEFAULT_BUFFER_SIZE) -> EventBroker:
    """A broker that receives every commit `store` makes or replays."""
    broker = EventBroker(size)

    def publish(change: Change) -> None:
        broker.publish(change, state_before(store, change))

    store.observe(publish)
    return broker
