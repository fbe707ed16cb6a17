"""An exec-style session at the terminal on the lean transport, on one thread.

`run_channel(agent, path, params, node_id, options)` opens the channel WebSocket (on the
node's own address when it answers within 1 s, else through the agent, as Nomad's
client does), then runs one selector loop over the socket (non-blocking, TLS or not)
and a wake-up pipe: received frames go to stdout/stderr as they come; stdin chunks
(from a reader thread, since stdin may be a plain file), window sizes (SIGWINCH),
SIGINT/SIGTERM and a `{}` heartbeat every 10 s come in through the pipe. Returns the
remote command's exit code (-2 when the session ended without one).
"""

from __future__ import annotations

import os
import queue
import selectors
import signal
import ssl
import sys
import threading
import time
from collections.abc import Callable
from urllib.parse import urlencode

from caravan.api.errors import APIConnectionError, APIError
from caravan.cli.exec_terminal import EscapeFilter, Options, raw_terminal
from caravan.cli.lean.agent import Agent, Connection, connect, path_id
from caravan.cli.lean.websocket import CLOSE, Closed, WebSocket, open_websocket
from caravan.errors import CaravanError, CommandFailed
from caravan.execproto import frames

HEARTBEAT_S = 10.0
NODE_DIAL_S = 1.0
STDIN_CHUNK = 64 * 1024
HIGH_WATER = 1 << 20  # bytes waiting to be sent before stdin is read further
_CANCELED = "failed to exec into task: context canceled"


def run_channel(agent: Agent, path: str, params: dict[str, str], node_id: str | None,
                options: Options) -> int:
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    if options.tty and not (os.isatty(stdin) and os.isatty(stdout)):
        raise CommandFailed("failed to exec into task: not a terminal")
    ws = open_channel(agent, path, params, node_id)
    try:
        with raw_terminal(stdin if options.tty else None) as restore:
            return _Loop(ws, options, restore, stdin, stdout).run()
    finally:
        ws.sock.close()


def open_channel(agent: Agent, path: str, params: dict[str, str],
                 node_id: str | None) -> WebSocket:
    query = dict(params)
    query.update({k: v for k, v in (("namespace", agent.namespace), ("region", agent.region))
                  if v})
    target = f"{path}?{urlencode(query)}"
    node_address = node_http_address(agent, node_id) if node_id else None
    agent.close()  # lookups are done: an idle connection per session would count against
    # the agent's connections-per-client limit, which its own client shares on loopback
    if node_address is not None:
        # As Nomad's api: a TLS node is checked for the name client.<region>.nomad.
        name = f"client.{agent.region or 'global'}.nomad" if node_address.startswith("https") \
            else None
        try:
            return _open(agent, node_address, target, NODE_DIAL_S, name)
        except (APIError, APIConnectionError):
            pass  # as Nomad's client: the agent we were given forwards it instead
    return _open(agent, agent.address, target, 10.0, agent.tls.tls_server_name or None)


def node_http_address(agent: Agent, node_id: str) -> str | None:
    """The node's own HTTP address (None: go through the agent); "node down" for a down
    node."""
    try:
        node = agent.get(f"/v1/node/{path_id(node_id)}")
    except CaravanError:
        return None  # no node:read, say: go through the agent
    if node.get("Status") == "down":
        raise CaravanError("node down")
    if not node.get("HTTPAddr"):
        return None
    tls = bool(node.get("TLSEnabled"))
    if tls and not agent.address.startswith("https"):
        return None  # no TLS settings to dial it with: go through the agent
    return f"{'https' if tls else 'http'}://{node['HTTPAddr']}"


def _open(agent: Agent, address: str, target: str, timeout: float,
          server_name: str | None) -> WebSocket:
    sock = connect(address, agent.tls, timeout, server_name)
    try:
        ws = open_websocket(Connection(sock, address), target, agent.headers(),
                            [frames.SUBPROTOCOL])
    except BaseException:
        sock.close()
        raise
    sock.setblocking(False)
    return ws


class _Loop:
    def __init__(self, ws: WebSocket, options: Options, restore: Callable[[], None], stdin: int,
                 stdout: int) -> None:
        self.ws, self.options, self.restore = ws, options, restore
        self.stdin, self.stdout = stdin, stdout
        self.binary = ws.subprotocol == frames.SUBPROTOCOL
        self.outbox = bytearray()
        self.chunks: queue.Queue[bytes] = queue.Queue(4)
        self.wake_r, self.wake_w = os.pipe()
        os.set_blocking(self.wake_r, False)
        os.set_blocking(self.wake_w, False)
        self.canceled = self.resized = False
        self.exit_code: int | None = None
        self.escape = EscapeFilter(options.escape.encode()[0]) \
            if options.tty and options.escape else None
        self.last_sent = time.monotonic()

    def run(self) -> int:
        handlers = {sig: signal.signal(sig, self._on_signal)
                    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGWINCH)}
        try:
            self._start()
            self._messages(b"")  # what came with the handshake's answer
            while self.exit_code is None:
                self._turn()
        finally:
            for sig, handler in handlers.items():
                signal.signal(sig, handler)
            # The wake-up pipe stays open: the stdin thread may still write to it, and a
            # closed number could by then name another file.
        self._send_close()
        return self.exit_code

    def _start(self) -> None:
        if self.options.tty:
            self._send_size()
        if not self.options.stdin:
            self._queue(frames.stdin_close_frame())
            return
        threading.Thread(target=self._read_stdin, daemon=True, name="stdin").start()

    def _turn(self) -> None:
        sock = self.ws.sock
        with selectors.DefaultSelector() as sel:
            sel.register(self.wake_r, selectors.EVENT_READ, "wake")
            events = selectors.EVENT_READ | (selectors.EVENT_WRITE if self.outbox else 0)
            sel.register(sock, events, "sock")
            pending_tls = isinstance(sock, ssl.SSLSocket) and sock.pending() > 0
            timeout = 0 if pending_tls else max(
                0.0, self.last_sent + HEARTBEAT_S - time.monotonic())
            ready = sel.select(timeout)
        readable = pending_tls or any(k.data == "sock" and m & selectors.EVENT_READ
                                      for k, m in ready)
        if any(k.data == "wake" for k, _ in ready):
            self._woken()
        if readable:
            self._receive()
        self._take_stdin()
        if self.outbox:
            self._flush()
        if time.monotonic() - self.last_sent >= HEARTBEAT_S:
            self._queue(frames.HEARTBEAT)

    def _woken(self) -> None:
        try:
            os.read(self.wake_r, 4096)
        except BlockingIOError:
            pass
        if self.canceled:
            raise CommandFailed(_CANCELED)
        if self.resized:
            self.resized = False
            self._send_size()

    def _take_stdin(self) -> None:
        while len(self.outbox) < HIGH_WATER:
            try:
                data = self.chunks.get_nowait()
            except queue.Empty:
                return
            self._stdin(data)

    def _stdin(self, data: bytes) -> None:
        """One chunk from the reader thread; b"" is the end of input."""
        end = not data
        if self.escape is not None:
            data, close = (self.escape.flush(), False) if end else self.escape.feed(data)
            if close:
                self.restore()  # so the message starts at the beginning of a line
                os.write(sys.stderr.fileno(), b"\nConnection closed\n")
                raise CommandFailed(_CANCELED)
        if data:
            self._queue(frames.stdin_frame(data, self.binary))
        if end:
            self._queue(frames.stdin_close_frame())

    def _receive(self) -> None:
        try:
            data = self.ws.sock.recv(256 * 1024)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError as err:
            raise CaravanError(f"websocket closed before receiving exit code: {err}") from None
        if not data:
            raise CaravanError("websocket closed before receiving exit code: "
                               "no close frame received or sent")
        self._messages(data)

    def _messages(self, data: bytes) -> None:
        for message in self.ws.feed(data):
            if isinstance(message, Closed):
                raise CaravanError(message.reason or "websocket closed before receiving "
                                   f"exit code: received {message.code}")
            self._output(message)
            if self.exit_code is not None:
                return
        for reply in self.ws.replies:
            self.outbox += reply
        self.ws.replies.clear()

    def _output(self, message: bytes) -> None:
        try:
            frame = frames.decode_output(message, self.binary)
        except frames.FrameError as err:
            raise CaravanError(err.message) from None
        if isinstance(frame, int):
            self.exit_code = frame
        elif frame is not None:
            fd = self.stdout if frame[0] == "stdout" else sys.stderr.fileno()
            view = memoryview(frame[1])
            while view:
                view = view[os.write(fd, view):]

    def _flush(self) -> None:
        try:
            sent = self.ws.sock.send(self.outbox)
        except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        except OSError:
            self.outbox.clear()  # the reader reports why the session ended
            return
        del self.outbox[:sent]

    def _queue(self, frame: str | bytes) -> None:
        self.outbox += self.ws.outgoing(frame)
        self.last_sent = time.monotonic()

    def _send_size(self) -> None:
        size = os.get_terminal_size(self.stdout)
        self._queue(frames.tty_size_frame(size.lines, size.columns))

    def _send_close(self) -> None:
        """The exit frame came: close politely, without waiting for the agent's echo."""
        try:
            self.ws.sock.setblocking(True)
            self.ws.sock.settimeout(1.0)
            self.ws.sock.sendall(bytes(self.outbox) + self.ws.outgoing(b"\x03\xe8", CLOSE))
        except OSError:
            pass

    def _on_signal(self, sig: int, _frame: object) -> None:
        if sig == signal.SIGWINCH:
            self.resized = True
        else:
            self.canceled = True
        self._wake()

    def _wake(self) -> None:
        try:
            os.write(self.wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass  # a wake-up is already pending, or the loop is over

    def _read_stdin(self) -> None:
        """A thread: blocking reads work on every kind of stdin, a plain file included.
        An empty chunk is the end of input."""
        while True:
            try:
                data = os.read(self.stdin, STDIN_CHUNK)
            except OSError:
                data = b""
            self.chunks.put(data)
            self._wake()
            if not data:
                return
