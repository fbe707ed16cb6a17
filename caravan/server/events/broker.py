"""The event broker: a bounded ring of recent commits that event-stream subscribers read.

The state store calls `publish` once per commit (the leader's own, or another
server's replayed from etcd), after the change is durable and before memory moves
on, so the objects a commit deletes can still be read for their events. Publishing
costs an append: a commit's rows become events only when a subscriber first reads
them, and then once for all subscribers.

Subscribers hold no queue, only the sequence number of the last entry they read,
so a slow one costs nothing; one that falls behind the ring's tail has lost events
and is told so (`Lost`), as Nomad closes a subscription whose buffer item was dropped.
"""

from __future__ import annotations

import asyncio
from collections import deque
from itertools import islice
from dataclasses import dataclass, field

from caravan.server.events.decode import Deleted, events_of
from caravan.server.events.event import Event
from caravan.server.state.backend import Change

# Nomad's `server { event_buffer_size }` default: commits kept for late subscribers.
DEFAULT_BUFFER_SIZE = 100
# And caravan's bound on the rows' text they hold: Nomad's buffer points at objects the
# state store keeps anyway, this one holds each commit's rows, and one plan of thousands
# of allocations is megabytes.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class Lost(Exception):
    """The subscriber fell behind the ring: events it had not read are gone."""


@dataclass
class Entry:
    seq: int
    index: int
    change: Change
    deleted: Deleted
    size: int = 0
    _events: list[Event] | None = field(default=None, repr=False)

    def events(self) -> list[Event]:
        if self._events is None:
            self._events = events_of(self.change, self.deleted)
        return self._events


class EventBroker:
    def __init__(self, size: int = DEFAULT_BUFFER_SIZE,
                 max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._ring: deque[Entry] = deque(maxlen=max(1, size))
        self._max_bytes = max_bytes
        self._bytes = 0
        self._seq = 0
        self._changed: asyncio.Event | None = None
        self._closed = False

    def publish(self, change: Change, deleted: Deleted) -> None:
        self._seq += 1
        size = sum(len(v) for v in change.rows.values() if v is not None)
        if len(self._ring) == self._ring.maxlen:
            self._bytes -= self._ring[0].size
        self._ring.append(Entry(self._seq, change.index, change, deleted, size))
        self._bytes += size
        while self._bytes > self._max_bytes and len(self._ring) > 1:
            self._bytes -= self._ring.popleft().size
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    def start(self, index: int) -> int:
        """The cursor (a sequence number) a subscriber asking from `index` starts after:
        index 0 replays the whole ring, as Nomad starts at the buffer's head."""
        for entry in self._ring:
            if entry.index >= index:
                return entry.seq - 1
        return self._seq

    def after(self, cursor: int) -> list[Entry]:
        """Entries newer than `cursor`; raises `Lost` when some were already dropped."""
        if not self._ring or cursor >= self._seq:
            return []
        first = self._ring[0].seq
        if cursor + 1 < first:
            raise Lost(f"subscription fell behind the event buffer (last read {cursor}, "
                       f"oldest kept {first}); resubscribe")
        return list(islice(self._ring, cursor + 1 - first, None))

    async def wait(self, cursor: int, timeout_s: float) -> None:
        """Until something newer than `cursor` is published, the broker closes or timeout."""
        if cursor < self._seq or self._closed:
            return
        if self._changed is None:
            self._changed = asyncio.Event()
        try:
            async with asyncio.timeout(timeout_s):
                await self._changed.wait()
        except TimeoutError:
            return

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """The agent is stopping: end every stream."""
        self._closed = True
        if self._changed is not None:
            self._changed.set()
            self._changed = None
