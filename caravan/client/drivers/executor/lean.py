"""The few standard-library services the per-task executor needs, on the C modules alone.

Every running task keeps an executor, so its memory is paid per task. `json` pulls in
`re` (its decoder's patterns), `socket` and `signal` pull in `enum`, `threading` pulls
in `collections`: together about 1.5 MiB of RSS for an executor that needs none of
what they add. Their C halves (`_json`, `_socket`, `_thread`) do the work here.

Loaded by executor.py from this file (it runs as `python3 -I -S`, without the caravan
package); importable as usual for tests. Standard library only, no work at import.
"""

from __future__ import annotations

import _json
import _socket
import _thread
import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Any

AF_UNIX = _socket.AF_UNIX
SOCK_STREAM = _socket.SOCK_STREAM
SHUT_RD = _socket.SHUT_RD
Socket = _socket.socket
LINE_MAX = 1 << 20  # one request line; the agent's are tiny


class Flag:
    """threading.Event's set/is_set/wait on a bare lock, which waiters pass once it is set."""

    def __init__(self) -> None:
        self._set = False
        self._lock = _thread.allocate_lock()
        self._lock.acquire()

    def set(self) -> None:
        if not self._set:
            self._set = True
            self._lock.release()

    def is_set(self) -> bool:
        return self._set

    def wait(self, timeout: float | None = None) -> bool:
        if self._set:
            return True
        if self._lock.acquire(timeout=-1 if timeout is None else max(timeout, 0.0)):
            self._lock.release()
        return self._set


def start_thread(target: Callable[..., object], *args: Any) -> Flag:
    """Run `target(*args)` in a new thread; the flag is set once it has returned."""
    finished = Flag()

    def run() -> None:
        try:
            target(*args)
        finally:
            finished.set()

    _thread.start_new_thread(run, ())
    return finished


class _Context:
    """What `_json.make_scanner` reads from json.JSONDecoder: the defaults."""

    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int

    @staticmethod
    def parse_constant(name: str) -> float:
        return float(name)  # NaN, Infinity, -Infinity, as json does


_scan = _json.make_scanner(_Context())  # type: ignore[arg-type]  # duck-typed: reads attributes


def loads(text: str | bytes) -> Any:
    """json.loads for one document; ValueError when `text` is not exactly one."""
    if isinstance(text, bytes):
        text = text.decode()
    start = _skip_space(text, 0)
    try:
        value, end = _scan(text, start)
    except StopIteration:
        raise ValueError(f"not JSON at character {start}") from None
    if _skip_space(text, end) != len(text):
        raise ValueError(f"extra data at character {end}")
    return value


def _skip_space(text: str, index: int) -> int:
    while index < len(text) and text[index] in " \t\r\n":
        index += 1
    return index


def _refuse(obj: object) -> object:
    raise TypeError(f"{type(obj).__name__} is not JSON serializable")


_encode = _json.make_encoder(None, _refuse, _json.encode_basestring_ascii, None, ": ", ", ",
                             False, False, True)


def dumps(obj: Any) -> str:
    """json.dumps with its defaults."""
    return "".join(_encode(obj, 0))


def connect_unix(path: str) -> Socket:
    sock = Socket(AF_UNIX, SOCK_STREAM)
    try:
        sock.connect(path)
    except OSError:
        sock.close()
        raise
    return sock


def accept(listener: Socket) -> Socket:
    fd, _ = listener._accept()  # type: ignore[attr-defined]  # socket.accept's C half
    return Socket(AF_UNIX, SOCK_STREAM, 0, fd)


def read_lines(sock: Socket, fds: list[int] | None = None) -> Iterator[bytes]:
    """Each newline-terminated line from `sock` until EOF (a last partial line is dropped).
    With `fds`, descriptors passed along (SCM_RIGHTS, close-on-exec) are appended to it
    as they arrive, so they are there when the line they came with is yielded."""
    buffered = b""
    while True:
        end = buffered.find(b"\n")
        if end >= 0:
            line, buffered = buffered[:end + 1], buffered[end + 1:]
            yield line
            continue
        if len(buffered) > LINE_MAX:
            return
        if fds is None:
            chunk = sock.recv(65536)
        else:
            chunk, ancillary, _, _ = sock.recvmsg(65536, _FDS_SPACE, _socket.MSG_CMSG_CLOEXEC)
            fds.extend(_passed_fds(ancillary))
        if not chunk:
            return
        buffered += chunk


_FDS_SPACE = _socket.CMSG_SPACE(16 * 4)  # more than any request passes


def _passed_fds(ancillary: list[tuple[int, int, bytes]]) -> list[int]:
    found = []
    for level, kind, data in ancillary:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            usable = len(data) - len(data) % 4
            found += [int.from_bytes(data[i:i + 4], sys.byteorder, signed=True)
                      for i in range(0, usable, 4)]
    return found


def write_file_atomic(path: str, text: str) -> None:
    tmp = f"{path}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(text.encode())
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
