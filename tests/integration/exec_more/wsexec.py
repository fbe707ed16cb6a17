"""A raw exec-channel WebSocket session (Nomad's JSON frames), for tests of the wire."""

from __future__ import annotations

import base64
import json
from urllib.parse import urlencode

from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect


def ws_exec(address: str, path: str, query: dict[str, str],
            token: str | None = None) -> tuple[str, int | None, str]:
    """("ok", exit code, stdout+stderr), ("closed", None, reason) when the agent closed the
    session with a reason, or ("http", status, body) when it refused the upgrade."""
    url = address.replace("http://", "ws://", 1) + f"{path}?{urlencode(query)}"
    out = b""
    try:
        with connect(url, additional_headers={"X-Nomad-Token": token} if token else {},
                     open_timeout=10, close_timeout=5) as ws:
            ws.send(json.dumps({"stdin": {"close": True}}))
            while True:
                frame = json.loads(ws.recv(timeout=60))
                for stream in ("stdout", "stderr"):
                    out += base64.b64decode(frame.get(stream, {}).get("data", "") or "")
                if frame.get("exited"):
                    return "ok", frame.get("result", {}).get("exit_code", 0), out.decode()
    except InvalidStatus as e:
        return "http", e.response.status_code, e.response.body.decode(errors="replace").strip()
    except ConnectionClosed as e:
        return "closed", None, e.rcvd.reason if e.rcvd is not None else ""
