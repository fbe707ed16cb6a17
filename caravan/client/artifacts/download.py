"""Bytes from a source into one new file, hashed as they arrive.

http(s) goes through httpx with the client's limits: no proxy or netrc from the
agent's environment, `Accept-Encoding: identity` (the checksum is over the file as
served, and a compressed transfer cannot slip past the size limit), redirects
followed by hand so that each target is checked (no https -> http, no other scheme,
the allow-list again, the task's headers only to the same origin), a deadline over
the whole download plus a read timeout for a silent server. `file://` copies a
regular host file whose real path is in the allow-list.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import quote, urljoin, urlsplit

import httpx

from caravan.client.artifacts.allow import check_allowed
from caravan.client.artifacts.cancel import Cancel, check
from caravan.client.artifacts.errors import GetterError, go_quote
from caravan.client.artifacts.source import Source, redact
from caravan.config.artifact import ArtifactConfig
from caravan.config.sources import AllowRule
from caravan.durations import format_duration

CHUNK = 1 << 20
MAX_REDIRECTS = 10
_REDIRECT_CODES = (301, 302, 303, 307, 308)
_CONNECT_TIMEOUT = 30.0


@dataclass(frozen=True)
class Downloaded:
    size: int
    digest: str | None  # hex digest of the source's checksum type, when it has one


@dataclass(frozen=True)
class _Sink:
    """Where bytes go and what bounds them."""

    out: IO[bytes]
    hasher: hashlib._Hash | None
    max_size: int
    deadline: float | None
    timeout: float
    cancel: Cancel | None


def download(source: Source, target: Path, config: ArtifactConfig, rules: Sequence[AllowRule],
             *, headers: Mapping[str, str] | None = None, insecure: bool = False,
             cancel: Cancel | None = None) -> Downloaded:
    """Fetch `source` into the new file `target`; GetterError on any failure."""
    check_allowed(source.url, rules, shown=source.shown)
    hasher = source.checksum.hasher() if source.checksum else None
    timeout = config.http_read_timeout
    deadline = time.monotonic() + timeout if timeout else None
    with _create_new(target) as out:
        sink = _Sink(out, hasher, config.http_max_size, deadline, timeout, cancel)
        if source.scheme == "file":
            size = _copy_file(source, rules, sink)
        else:
            size = _http_get(source, rules, dict(headers or {}), insecure, sink)
    digest = hasher.hexdigest() if hasher is not None else None
    return Downloaded(size, digest)


def _http_get(source: Source, rules: Sequence[AllowRule], headers: dict[str, str],
              insecure: bool, sink: _Sink) -> int:
    read = sink.timeout or None
    timeout = httpx.Timeout(min(read or _CONNECT_TIMEOUT, _CONNECT_TIMEOUT), read=read)
    url = source.url
    with httpx.Client(trust_env=False, follow_redirects=False, verify=not insecure,
                      timeout=timeout) as client:
        for _ in range(MAX_REDIRECTS + 1):
            sent = {**headers, "Accept-Encoding": "identity"}
            with _http_errors(url, sink.timeout), \
                    client.stream("GET", url, headers=sent) as response:
                if response.status_code in _REDIRECT_CODES and "location" in response.headers:
                    next_url = _redirect(url, response.headers["location"], rules)
                    if _origin(next_url) != _origin(url):
                        headers = {}  # the task's headers (tokens) stay with their origin
                    url = next_url
                    continue
                if not 200 <= response.status_code < 300:
                    raise GetterError(f"bad response code: {response.status_code}")
                length = response.headers.get("content-length", "")
                if sink.max_size and length.isdigit() and int(length) > sink.max_size:
                    raise _too_big(sink.max_size)
                with _wakeable(response, sink.cancel):
                    return _pump(response.iter_raw(CHUNK), sink)
    raise GetterError(f"stopped after {MAX_REDIRECTS} redirects")


def _pump(chunks: Iterator[bytes], sink: _Sink) -> int:
    size = 0
    for chunk in chunks:
        check(sink.cancel)
        if sink.deadline is not None and time.monotonic() > sink.deadline:
            raise GetterError(f"download did not finish within {_duration(sink.timeout)} "
                              "(client artifact http_read_timeout)")
        size += len(chunk)
        if sink.max_size and size > sink.max_size:
            raise _too_big(sink.max_size)
        if sink.hasher is not None:
            sink.hasher.update(chunk)
        sink.out.write(chunk)
    return size


@contextmanager
def _wakeable(response: httpx.Response, cancel: Cancel | None) -> Iterator[None]:
    """Let a cancel shut the socket down, so a read blocked on a silent server returns."""
    stream = response.extensions.get("network_stream")
    sock = stream.get_extra_info("socket") if stream is not None else None
    if cancel is None or sock is None:
        yield
        return
    with cancel.waking(lambda: sock.shutdown(socket.SHUT_RDWR)):
        try:
            yield
        except httpx.HTTPError:
            check(cancel)  # the read failed because we cut it: say so
            raise
    check(cancel)


@contextmanager
def _http_errors(url: str, timeout: float) -> Iterator[None]:
    """httpx's exceptions as GetterErrors that say what timed out or failed."""
    shown = redact(url)
    try:
        yield
    except httpx.ConnectTimeout as err:
        raise GetterError(f"timed out connecting to {shown}") from err
    except httpx.ReadTimeout as err:
        raise GetterError(f"timed out reading from {shown}: no data for {_duration(timeout)} "
                          "(client artifact http_read_timeout)") from err
    except (httpx.HTTPError, httpx.InvalidURL, ValueError) as err:
        # ValueError: a URL or header httpx cannot encode (say, a non-latin-1 header value)
        raise GetterError(f"GET {shown}: {err or type(err).__name__}") from err


def _redirect(url: str, location: str, rules: Sequence[AllowRule]) -> str:
    target = urljoin(url, location)
    old, new = urlsplit(url).scheme, urlsplit(target).scheme.lower()
    if new not in ("http", "https") or (old == "https" and new == "http"):
        raise GetterError(f"redirect from {redact(url)} to {redact(target)} refused: "
                          f"scheme {new!r} after {old!r}")
    check_allowed(target, rules, shown=redact(target))
    return target


def _copy_file(source: Source, rules: Sequence[AllowRule], sink: _Sink) -> int:
    path = source.local_path
    real = os.path.realpath(path)
    # The allow-list holds for the file itself, not only for the link that names it.
    check_allowed("file://" + quote(real), rules, shown=source.shown)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise GetterError(f"file source {go_quote(path)}: {err.strerror}") from err
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise GetterError(f"file source {go_quote(path)} is not a regular file")
    with os.fdopen(fd, "rb") as src:
        return _pump(iter(lambda: src.read(CHUNK), b""), sink)


def _create_new(target: Path) -> IO[bytes]:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    return os.fdopen(os.open(target, flags, 0o600), "wb")


def _origin(url: str) -> tuple[str, str | None, int | None]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.hostname, parts.port


def _too_big(limit: int) -> GetterError:
    return GetterError(f"download is larger than {limit} bytes (client artifact http_max_size)")


def _duration(seconds: float) -> str:
    return format_duration(int(seconds * 1e9))
