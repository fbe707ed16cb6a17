"""An artifact `source` and its `options`, parsed into what to fetch and how.

    source  = "https://host/app.tar.gz"          options { checksum = "sha256:..." }
    source  = "http::https://host/app?x=1"       forced getter `<getter>::<url>`
    source  = "file:///srv/artifacts/app.bin"    or an absolute path (allow-list only)

As in Nomad, every option becomes a URL query parameter (the source's own query is
kept, Go's encoding sorts the keys); then, as go-getter does, `checksum`, `archive`
and `filename` are taken back out and act on the fetch, while the others stay in the
request. `git::` sources are gitsource.py's; getters Nomad has and caravan does not
(hg, s3, gcs) fail clearly.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NoReturn
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from caravan.client.artifacts.errors import GetterError, go_quote
from caravan.structs.artifact import Checksum, ChecksumError, parse_checksum

FETCH_SCHEMES = ("http", "https", "file")
_UNSUPPORTED_GETTERS = ("hg", "s3", "gcs")
_CONSUMED = ("checksum", "archive", "filename")
_FORCED = re.compile(r"^([A-Za-z0-9]+)::(.*)$", re.DOTALL)


@dataclass(frozen=True)
class Source:
    url: str  # what is requested: the consumed options removed, dot segments resolved
    scheme: str  # "http", "https" or "file"
    filename: str  # the file name a plain download is saved as
    checksum: Checksum | None = None
    archive: str | None = None  # the `archive` option as given; None: decided by extension

    @property
    def local_path(self) -> str:
        """The host path of a `file` source."""
        return unquote(urlsplit(self.url).path)

    @property
    def shown(self) -> str:
        """The URL for messages and results, without credentials."""
        return redact(self.url)


def parse_source(source: str, options: Mapping[str, str] | None = None) -> Source:
    """The (already interpolated) source and options -> Source; GetterError if unusable."""
    getter, rest = _split_forced(source.strip())
    if "://" not in rest and rest.startswith("/"):
        rest = "file://" + rest
    try:
        parts = urlsplit(rest)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as err:
        raise GetterError(f"failed to parse source URL {go_quote(source)}: {err}") from err
    scheme = parts.scheme.lower()
    _check_getter(getter, scheme)
    query, consumed = _merge_query(parts.query, options or {})
    path = _clean_path(scheme, parts.netloc, parts.path)
    url = urlunsplit((scheme, parts.netloc, path, urlencode(query), ""))
    name = consumed.get("filename") or posixpath.basename(unquote(path))
    try:
        checksum = parse_checksum(consumed["checksum"]) if "checksum" in consumed else None
    except ChecksumError as err:
        raise GetterError(err.message) from err
    return Source(url, scheme, name, checksum, consumed.get("archive"))


def redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:xxxxx@{host}"))


def _merge_query(raw: str, options: Mapping[str, str]) -> tuple[list[tuple[str, str]],
                                                                 dict[str, str]]:
    """Options replace same-named parameters; Go's Encode sorts by key, values in order."""
    pairs = [(k, v) for k, v in parse_qsl(raw, keep_blank_values=True) if k not in options]
    pairs += list(options.items())
    consumed: dict[str, str] = {}
    for key, value in pairs:
        if key in _CONSUMED:
            consumed.setdefault(key, value)
    kept = [(k, v) for k, v in pairs if k not in _CONSUMED]
    return sorted(kept, key=lambda pair: pair[0]), consumed


def _split_forced(source: str) -> tuple[str | None, str]:
    match = _FORCED.match(source)
    if match is None:
        return None, source
    return match.group(1).lower(), match.group(2)


def _check_getter(getter: str | None, scheme: str) -> None:
    if getter in _UNSUPPORTED_GETTERS:
        _unsupported(getter)
    if getter is not None and getter not in FETCH_SCHEMES:
        raise GetterError(f"download not supported for scheme '{getter}'")
    if scheme in _UNSUPPORTED_GETTERS:
        _unsupported(scheme)
    if scheme not in FETCH_SCHEMES:
        raise GetterError(f"download not supported for scheme '{scheme}'")
    # go-getter's `http` getter serves both http and https URLs.
    http_getter = getter in ("http", "https")
    if (http_getter and scheme == "file") or (getter == "file" and scheme != "file"):
        raise GetterError(f"getter {getter!r} cannot fetch a {scheme} URL")


def _clean_path(scheme: str, netloc: str, path: str) -> str:
    if scheme == "file":
        if netloc or not path.startswith("/"):
            raise GetterError("file sources must be absolute paths (file:///path)")
        if ".." in unquote(path).split("/"):
            raise GetterError(f"file source path {go_quote(unquote(path))} contains \"..\"")
        return path
    if not netloc:
        raise GetterError(f"source URL {scheme}://... has no host")
    if not path:
        return "/"
    # Resolve dot segments here, so the allow-list sees the path the server will.
    clean = posixpath.normpath(path)
    clean = "/" + clean.lstrip("/") if clean != "." else "/"
    return clean + "/" if path.endswith("/") and clean != "/" else clean


def _unsupported(getter: str) -> NoReturn:
    raise GetterError(f"download not supported for scheme '{getter}'",
                      hint=f"caravan fetches artifacts over http, https, file and git; the "
                           f"{getter} getter is not available")
