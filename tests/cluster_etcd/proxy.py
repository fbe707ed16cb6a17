"""A TCP relay between one server and etcd that a test can cut and heal: a partition of
that server from etcd, on 127.0.0.1 only."""

from __future__ import annotations

import selectors
import socket
import threading
from dataclasses import dataclass, field

from tests.agents import free_port


@dataclass
class Relay:
    target_port: int
    port: int = field(default_factory=free_port)
    _cut: threading.Event = field(default_factory=threading.Event)
    _stop: threading.Event = field(default_factory=threading.Event)
    _conns: list[socket.socket] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _thread: threading.Thread | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Relay:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.settimeout(0.2)
        self._thread = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._thread.start()
        return self

    def cut(self) -> None:
        """Drop every connection and refuse new ones, until `heal()`."""
        self._cut.set()
        with self._lock:
            for conn in self._conns:
                _close(conn)
            self._conns.clear()

    def heal(self) -> None:
        self._cut.clear()

    def stop(self) -> None:
        self._stop.set()
        self.cut()
        if self._thread is not None:
            self._thread.join(5)

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                if self._cut.is_set():
                    _close(client)
                    continue
                try:
                    upstream = socket.create_connection(("127.0.0.1", self.target_port), 2)
                except OSError:
                    _close(client)
                    continue
                with self._lock:
                    self._conns += [client, upstream]
                threading.Thread(target=_pump, args=(client, upstream), daemon=True).start()


def _pump(a: socket.socket, b: socket.socket) -> None:
    sel = selectors.DefaultSelector()
    try:
        sel.register(a, selectors.EVENT_READ, b)
        sel.register(b, selectors.EVENT_READ, a)
        while True:
            for key, _ in sel.select(1.0):
                src: socket.socket = key.fileobj  # type: ignore[assignment]
                data = src.recv(65536)
                if not data:
                    return
                key.data.sendall(data)
    except (OSError, ValueError):
        return
    finally:
        sel.close()
        _close(a)
        _close(b)


def _close(conn: socket.socket) -> None:
    try:
        conn.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    conn.close()
