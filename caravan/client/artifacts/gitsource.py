"""A `git::` artifact source, parsed as go-getter reads it, and refused where it could
smuggle an option into git.

    git::https://host/org/repo.git?ref=v1.2&depth=1      clone, then the ref
    git::https://host/org/repo.git//sub/dir               only that subdirectory lands
    git::ssh://git@host/org/repo.git?sshkey=<base64 key>  the key for this fetch alone
    git@host:org/repo.git                                 scp-like: ssh, detected
    github.com/org/repo   gitlab.com/org/repo             https, detected (`.git` added)
    git::file:///srv/repos/app                            only where allowed_sources lists it

`ref`, `depth` and `sshkey` are taken out of the query (the rest stays in the URL);
a ref or a URL that could read as a git option (CVE-2024-3817) is an error here, and
the runner passes them after `--`/`=` besides.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from caravan.client.artifacts.errors import GetterError, go_quote
from caravan.client.artifacts.source import redact

GIT_SCHEMES = ("https", "http", "ssh", "file")
_FORCED = re.compile(r"^git::(.*)$", re.DOTALL | re.IGNORECASE)
_SCP = re.compile(r"^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(.+)$")
_HOSTED = ("github.com/", "gitlab.com/")
_CONSUMED = ("ref", "depth", "sshkey")
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


@dataclass(frozen=True)
class GitSource:
    url: str  # what git clones: no ref/depth/sshkey, no subdir
    scheme: str
    ref: str | None = None
    depth: int | None = None
    sshkey: bytes | None = None
    subdir: str = ""  # the part after `//`: only this lands

    @property
    def shown(self) -> str:
        return redact(self.url)


def is_git_source(source: str) -> bool:
    text = source.strip()
    return bool(_FORCED.match(text) or _SCP.match(text) or text.startswith(_HOSTED))


def parse_git_source(source: str, options: Mapping[str, str] | None = None) -> GitSource:
    """The (interpolated) source and options -> GitSource; GetterError if unusable."""
    raw = _detect(source.strip())
    base, subdir = _split_subdir(raw)
    try:
        parts = urlsplit(base)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as err:
        raise GetterError(f"failed to parse source URL {go_quote(source)}: {err}") from err
    scheme = parts.scheme.lower()
    if scheme not in GIT_SCHEMES:
        raise GetterError(f"git sources must be https, http, ssh or file URLs, not {scheme!r}")
    host = parts.hostname or ""
    if scheme == "file" and (parts.netloc or not parts.path.startswith("/")):
        raise GetterError("file sources must be absolute paths (file:///path)")
    if scheme != "file" and not host:
        raise GetterError(f"source URL {scheme}://... has no host")
    for piece, what in ((host, "host"), (parts.username or "", "user"), (parts.path, "path")):
        _plain(piece, what)
    if ".." in parts.path.split("/"):
        raise GetterError(f"git source path {go_quote(parts.path)} contains \"..\"")
    pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k not in (options or {})] + list((options or {}).items())
    taken = {k: v for k, v in reversed(pairs) if k in _CONSUMED}
    query = urlencode(sorted((k, v) for k, v in pairs
                             if k not in _CONSUMED and k not in ("checksum", "archive",
                                                                 "filename")))
    url = urlunsplit((scheme, parts.netloc, parts.path, query, ""))
    return GitSource(url, scheme, _ref(taken.get("ref")), _depth(taken.get("depth")),
                     _key(taken.get("sshkey")), subdir)


def _detect(source: str) -> str:
    """go-getter's detectors: forced `git::`, scp-like ssh, GitHub/GitLab shorthand."""
    forced = _FORCED.match(source)
    if forced:
        source = forced.group(1)
    scp = _SCP.match(source)
    if scp and "://" not in source:
        user, host, path = scp.groups()
        return f"ssh://{user}@{host}/{path}"
    if source.startswith(_HOSTED):
        head, _, query = source.partition("?")
        head = head if head.endswith(".git") or head.count("/") > 2 else head + ".git"
        return "https://" + head + (f"?{query}" if query else "")
    return source


def _split_subdir(raw: str) -> tuple[str, str]:
    """`https://h/repo.git//sub/dir?ref=x` -> (`https://h/repo.git?ref=x`, `sub/dir`)."""
    scheme_end = raw.find("://")
    start = scheme_end + 3 if scheme_end >= 0 else 0
    if raw[start:].startswith("/"):
        start += 1  # file:/// keeps its root
    index = raw.find("//", start)
    if index < 0:
        return raw, ""
    head, tail = raw[:index], raw[index + 2:]
    subdir, sep, query = tail.partition("?")
    parts = [p for p in subdir.split("/") if p not in ("", ".")]
    if ".." in parts:
        raise GetterError(f"git subdirectory {go_quote(subdir)} contains \"..\"")
    return head + (sep + query if sep else ""), "/".join(parts)


def _plain(value: str, what: str) -> None:
    """No leading `-` (git would read an option) and no control characters or spaces."""
    if value.startswith("-") or _BAD_CHARS.search(value):
        raise GetterError(f"git source {what} {go_quote(value)} is refused: it starts with "
                          "\"-\" or holds spaces or control characters")


def _ref(value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if value.startswith("-") or _BAD_CHARS.search(value) or ".." in value:
        raise GetterError(f"git ref {go_quote(value)} is refused: a ref may not start with "
                          "\"-\" or hold \"..\", spaces or control characters")
    return value


def _depth(value: str | None) -> int | None:
    if value is None or value == "":
        return None
    if not value.isdigit() or int(value) < 1:
        raise GetterError(f"git depth {go_quote(value)} must be a positive whole number")
    return int(value)


def _key(value: str | None) -> bytes | None:
    if not value:
        return None
    try:
        return base64.b64decode(value.replace("-", "+").replace("_", "/") + "==",
                                validate=False)
    except (binascii.Error, ValueError) as err:
        raise GetterError("git sshkey must be a base64-encoded private key") from err
