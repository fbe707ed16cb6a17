"""Issue 13 part 9: over Nomad's JSON frames with a tty, a line sent to `head -n1` (stdin
left open) comes back exactly twice: the terminal's echo, then head's output."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

import pytest
from websockets.sync.client import connect

from tests.integration.alloc_exec.conftest import Allocs

pytestmark = pytest.mark.integration


def _tty_session(address: str, alloc_id: str, line: bytes) -> tuple[bytes, dict[str, Any]]:
    query = urlencode({"task": "main", "tty": "true",
                       "command": json.dumps(["head", "-n1"])})
    url = address.replace("http", "ws", 1) + f"/v1/client/allocation/{alloc_id}/exec?{query}"
    out = b""
    with connect(url) as ws:
        ws.send(json.dumps({"tty_size": {"height": 24, "width": 80}}))
        ws.send(json.dumps({"stdin": {"data": base64.b64encode(line).decode()}}))
        while True:
            frame = json.loads(ws.recv(timeout=30))
            out += base64.b64decode(frame.get("stdout", {}).get("data", ""))
            if frame.get("exited"):
                return out, frame


@pytest.mark.parametrize("which", ["web", "raw"])
def test_a_line_comes_back_as_echo_then_output(allocs: Allocs, which: str) -> None:
    alloc = allocs.web if which == "web" else allocs.raw
    out, last = _tty_session(allocs.agent.address, alloc["ID"], b"hello-tty\n")
    assert last["exited"] and last["result"].get("exit_code", 0) == 0  # Nomad omits 0
    assert out == b"hello-tty\r\nhello-tty\r\n", out
