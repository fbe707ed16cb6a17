"""`alloc port-forward` on the wire: one WebSocket carries one TCP connection.

    client -> agent   binary: bytes for the remote port   text {"eof":true}: no more
    agent -> client   binary: bytes the remote port sent  text {"eof":true}: no more
    either            a close frame; 1000 once both sides sent eof, else the reason
                      (1011: the dial failed or the connection broke, 1008: refused)

`eof` is a TCP half-close (shutdown(SHUT_WR)): the other direction keeps flowing.
The remote port is a number (1-65535) or the label of one of the allocation's ports
(`parse_remote`). Pure: no I/O.
"""

from __future__ import annotations

import json

from caravan.errors import InvalidInput

ROUTE = "port-forward"
EOF_FRAME = '{"eof":true}'
CHUNK = 256 * 1024  # the most read from a socket for one frame


def is_eof(text: str) -> bool:
    """A text frame is a half-close; any other text is a protocol error."""
    try:
        ok = json.loads(text) == {"eof": True}
    except ValueError:
        ok = False
    if not ok:
        raise InvalidInput(f"unexpected port-forward frame: {text[:40]!r}")
    return True


def parse_remote(value: str) -> int | str:
    """A remote port as a number in 1-65535, or a port label (a letter or `_`, then
    letters, digits, `_`, `-`; ASCII only)."""
    if value.isascii() and value.isdigit():
        port = int(value)
        if 1 <= port <= 65535:
            return port
        raise InvalidInput(f"port {value} is out of range: a port is 1-65535")
    first_ok = value[:1].isalpha() or value[:1] == "_"
    if value.isascii() and first_ok and all(c.isalnum() or c in "_-" for c in value):
        return value
    raise InvalidInput(f'invalid port "{value[:40]}": want a number 1-65535 or a port label')
