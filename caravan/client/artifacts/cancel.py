"""Cancelling a fetch that runs in a worker thread.

The event loop sets the flag; the worker checks it between chunks and entries. A
worker blocked in a socket read would only notice at the read timeout (30 minutes by
default), so while it streams a body it registers a waker that shuts the socket down,
which makes the blocked read return at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from caravan.client.artifacts.errors import GetterError


class Cancel:
    """Thread-safe: `set()` from any thread, `check()` and `waking()` in the worker."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._wakers: list[Callable[[], None]] = []

    def set(self) -> None:
        with self._lock:
            self._event.set()
            wakers = list(self._wakers)
        for wake in wakers:
            _quietly(wake)

    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise GetterError("artifact fetch cancelled")

    @contextmanager
    def waking(self, wake: Callable[[], None]) -> Iterator[None]:
        """While inside, a `set()` calls `wake` (at once, if already set)."""
        with self._lock:
            self._wakers.append(wake)
            already = self._event.is_set()
        if already:
            _quietly(wake)
        try:
            yield
        finally:
            with self._lock:
                self._wakers.remove(wake)


def check(cancel: Cancel | None) -> None:
    if cancel is not None:
        cancel.check()


def _quietly(wake: Callable[[], None]) -> None:
    try:
        wake()
    except OSError:
        pass  # the socket closed on its own meanwhile
