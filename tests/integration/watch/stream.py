"""A reader of ndjson streams for tests (the event stream, the agent monitor's frames):
a thread reads the lines into a queue.

http.client decodes the chunked body line by line; `close()` shuts the socket down
from the test's thread, which ends the reader's blocking read at once.
"""

from __future__ import annotations

import http.client
import json
import queue
import socket
import threading
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

Event = dict[str, Any]


class EventStream:
    def __init__(self, address: str, params: list[tuple[str, str]], token: str = "",
                 path: str = "/v1/event/stream") -> None:
        parts = urlsplit(address)
        self._conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=60)
        headers = {"X-Nomad-Token": token} if token else {}
        self._conn.request("GET", path + "?" + urlencode(params), headers=headers)
        self.response = self._conn.getresponse()
        self.status = self.response.status
        self.lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        self.ended = threading.Event()
        self.heartbeats = 0
        self._thread = threading.Thread(target=self._read, daemon=True)
        if self.status == 200:
            self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                line = self.response.readline()
                if not line:
                    break
                self.lines.put(json.loads(line))
        except Exception:  # noqa: BLE001 - closed under the reader: the stream simply ends
            pass
        finally:
            self.ended.set()
            self.lines.put(None)

    def events_until(self, done: Any, timeout_s: float = 60.0) -> list[Event]:
        """Every event read until `done(events so far)` is true; fails on timeout or end."""
        events: list[Event] = []
        for line in self._lines_until(lambda: done(events), timeout_s, lambda: _brief(events)):
            events.extend(line["Events"])
        return events

    def frames_until(self, done: Any, timeout_s: float = 60.0) -> list[dict[str, Any]]:
        """Every line but `{}` heartbeats until `done(lines so far)` is true."""
        frames: list[dict[str, Any]] = []
        for line in self._lines_until(lambda: done(frames), timeout_s, lambda: frames):
            frames.append(line)
        return frames

    def _lines_until(self, done: Any, timeout_s: float, seen: Any) -> Any:
        deadline = time.monotonic() + timeout_s
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"timed out; so far: {seen()}")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"stream ended; so far: {seen()}")
            if line == {}:
                self.heartbeats += 1
                continue
            yield line

    def wait_ended(self, timeout_s: float = 60.0) -> bool:
        return self.ended.wait(timeout_s)

    def close(self) -> None:
        sock = self._conn.sock
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self._conn.close()
        self._thread.join(timeout=10) if self._thread.is_alive() else None


def _brief(events: list[Event]) -> list[str]:
    return [f"{e['Index']} {e['Topic']} {e['Type']} {e['Key']}" for e in events]
