"""One agent, reached with the standard library: `Agent.get(path, params)` -> JSON.

The settings are `caravan.api.Client`'s (flags, then CARAVAN_* then NOMAD_* variables);
errors are its errors (`APIError` for a non-2xx answer, `APIConnectionError` when the
agent cannot be reached), so the CLI reports them with the same words.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from caravan.api.errors import APIConnectionError, APIError
from caravan.api.tls import TLSConfig

DEFAULT_ADDRESS = "http://127.0.0.1:4646"
TIMEOUT_S = 60.0
_MAX_HEADER = 64 * 1024


def path_id(value: str) -> str:
    return quote(value, safe="")


def _env(*names: str) -> str:
    return next((os.environ[n] for n in names if os.environ.get(n)), "")


@dataclass
class Agent:
    address: str = ""
    token: str = ""
    namespace: str = ""
    region: str = ""
    tls: TLSConfig = field(default_factory=lambda: TLSConfig.from_env(os.environ))
    _conn: Connection | None = None

    def __post_init__(self) -> None:
        address = (self.address or _env("CARAVAN_ADDR", "NOMAD_ADDR") or DEFAULT_ADDRESS)
        address = address.strip().rstrip("/")
        self.address = address if "://" in address else f"http://{address}"
        self.token = self.token or _env("CARAVAN_TOKEN", "NOMAD_TOKEN")
        self.namespace = self.namespace or _env("CARAVAN_NAMESPACE", "NOMAD_NAMESPACE")
        self.region = self.region or _env("CARAVAN_REGION", "NOMAD_REGION")

    def headers(self) -> dict[str, str]:
        return {"X-Nomad-Token": self.token} if self.token else {}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        """GET `path` (namespace and region added as the typed client adds them)."""
        query = {k: v for k, v in (("namespace", self.namespace), ("region", self.region)) if v}
        query.update(params or {})
        target = f"{path}?{urlencode(query)}" if query else path
        if self._conn is None:
            self._conn = Connection(connect(self.address, self.tls, TIMEOUT_S,
                                            self.tls.tls_server_name or None), self.address)
        status, body = self._conn.request("GET", target, self.headers())
        if not 200 <= status < 300:
            raise APIError(status, body.decode(errors="replace"))
        return json.loads(body)

    def close(self) -> None:
        if self._conn is not None:
            self._conn.sock.close()
            self._conn = None


def connect(address: str, tls: TLSConfig, timeout: float | None,
            server_name: str | None) -> socket.socket:
    """A connected socket to `address` (http:// or https://), TLS already negotiated."""
    url = urlsplit(address)
    host, port = url.hostname or "127.0.0.1", url.port or (443 if url.scheme == "https" else 80)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if url.scheme == "https":
            sock = tls.ssl_context().wrap_socket(sock, server_hostname=server_name or host)
    except (OSError, ssl.SSLError) as err:
        raise APIConnectionError(address, reason(err)) from None
    return sock


def reason(err: BaseException) -> str:
    if isinstance(err, ConnectionRefusedError):
        return "connection refused"
    if isinstance(err, (TimeoutError, socket.timeout)):
        return "timed out"
    return str(err) or type(err).__name__


class Connection:
    """HTTP/1.1 on one socket: requests one after another, answers read to their end."""

    def __init__(self, sock: socket.socket, address: str) -> None:
        self.sock = sock
        self.address = address
        self.buffer = b""

    def request(self, method: str, target: str, headers: dict[str, str]) -> tuple[int, bytes]:
        try:
            status, head = self.request_head(method, target, headers)
            return status, self.read_body(head)
        except OSError as err:
            raise APIConnectionError(self.address, reason(err)) from None

    def request_head(self, method: str, target: str, headers: dict[str, str],
                     extra: str = "") -> tuple[int, dict[str, str]]:
        """Send a request (`extra`: more header lines, each ending in CRLF); read the
        status and header of its answer, leaving the body to the caller."""
        host = urlsplit(self.address).netloc
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}",
                 *(f"{k}: {v}" for k, v in headers.items())]
        self.sock.sendall(("\r\n".join(lines) + "\r\n" + extra + "\r\n").encode())
        return self.read_head()

    def read_head(self) -> tuple[int, dict[str, str]]:
        while b"\r\n\r\n" not in self.buffer:
            if len(self.buffer) > _MAX_HEADER:
                raise APIConnectionError(self.address, "response header too large")
            self._fill()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        status_line, *lines = head.decode("latin-1").split("\r\n")
        parts = status_line.split(" ", 2)
        if len(parts) < 2 or not parts[1].isdigit():
            raise APIConnectionError(self.address, f"not an HTTP answer: {status_line[:80]}")
        fields = {}
        for line in lines:
            name, _, value = line.partition(":")
            fields[name.strip().lower()] = value.strip()
        return int(parts[1]), fields

    def read_body(self, head: dict[str, str]) -> bytes:
        if head.get("transfer-encoding", "").lower() == "chunked":
            return self._chunked()
        length = int(head.get("content-length", "0"))
        while len(self.buffer) < length:
            self._fill()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return body

    def _chunked(self) -> bytes:
        body = bytearray()
        while True:
            while b"\r\n" not in self.buffer:
                self._fill()
            size_line, self.buffer = self.buffer.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            while len(self.buffer) < size + 2:
                self._fill()
            body += self.buffer[:size]
            self.buffer = self.buffer[size + 2:]
            if size == 0:
                return bytes(body)  # trailers are not used by the agent

    def _fill(self) -> None:
        data = self.sock.recv(256 * 1024)
        if not data:
            raise ConnectionResetError("connection closed by the agent")
        self.buffer += data
