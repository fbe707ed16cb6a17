"""The agent's own log records, handed to `/v1/agent/monitor` subscribers as lines.

One handler on the root logger fans each record out to the subscribers whose level it
meets. A subscriber asking for more detail than the agent logs (`-log-level=debug` on
an INFO agent) lowers the root logger while it listens; the agent's own handlers are
pinned at the configured level first, so its log output does not change. A slow
subscriber loses its oldest lines, never blocks the agent: records may come from any
thread and only ever cross to the subscriber's loop with `call_soon_threadsafe`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections import deque

# Nomad's (hclog's) level names; TRACE is below DEBUG, WARN is logging's WARNING.
LEVELS = {"TRACE": 5, "DEBUG": logging.DEBUG, "INFO": logging.INFO, "WARN": logging.WARNING,
          "WARNING": logging.WARNING, "ERROR": logging.ERROR}
_NAMES = {5: "TRACE", logging.DEBUG: "DEBUG", logging.INFO: "INFO", logging.WARNING: "WARN",
          logging.ERROR: "ERROR", logging.CRITICAL: "ERROR"}
MAX_PENDING = 512


class Subscriber:
    def __init__(self, level: int, as_json: bool) -> None:
        self.level = level
        self.as_json = as_json
        self.dropped = 0
        self._lines: deque[str] = deque(maxlen=MAX_PENDING)
        self._loop = asyncio.get_running_loop()
        self._ready = asyncio.Event()

    def offer(self, line: str) -> None:
        try:
            self._loop.call_soon_threadsafe(self._put, line)
        except RuntimeError:  # its loop is closed: the subscriber is gone
            pass

    def _put(self, line: str) -> None:
        if len(self._lines) == MAX_PENDING:
            self.dropped += 1
        self._lines.append(line)
        self._ready.set()

    async def lines(self, timeout_s: float) -> list[str]:
        """What arrived since the last call, waiting up to `timeout_s` for something."""
        if not self._lines:
            try:
                async with asyncio.timeout(timeout_s):
                    await self._ready.wait()
            except TimeoutError:
                return []
        self._ready.clear()
        taken = list(self._lines)
        self._lines.clear()
        return taken


class LogHub(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=1)
        self._subscribers: set[Subscriber] = set()
        self._lock = threading.Lock()
        self._base_level: int | None = None  # the root level before anyone lowered it

    def emit(self, record: logging.LogRecord) -> None:
        with self._lock:
            listening = [s for s in self._subscribers if record.levelno >= s.level]
        if not listening:
            return
        text, as_json = "", ""
        for sub in listening:
            if sub.as_json:
                as_json = as_json or _json_line(record)
                sub.offer(as_json)
            else:
                text = text or _text_line(record)
                sub.offer(text)

    def subscribe(self, sub: Subscriber) -> None:
        root = logging.getLogger()
        with self._lock:
            self._subscribers.add(sub)
            if self not in root.handlers:
                root.addHandler(self)
            if self._base_level is None:
                self._base_level = root.level
                for handler in root.handlers:
                    if handler is not self and handler.level == logging.NOTSET:
                        handler.setLevel(root.level)
            root.setLevel(min([self._base_level, *(s.level for s in self._subscribers)]))

    def unsubscribe(self, sub: Subscriber) -> None:
        root = logging.getLogger()
        with self._lock:
            self._subscribers.discard(sub)
            if self._base_level is not None:
                root.setLevel(min([self._base_level, *(s.level for s in self._subscribers)]))


def _text_line(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    millis = int(record.msecs)
    level = f"[{_NAMES.get(record.levelno, record.levelname)}]"
    return f"{stamp}.{millis:03d}Z {level:<7} {record.name}: {record.getMessage()}\n"


def _json_line(record: logging.LogRecord) -> str:
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
    return json.dumps({
        "@level": _NAMES.get(record.levelno, record.levelname).lower(),
        "@message": record.getMessage(), "@module": record.name,
        "@timestamp": f"{stamp}.{int(record.msecs):03d}Z",
    }) + "\n"


HUB = LogHub()  # logging is per process, and so is its hub
