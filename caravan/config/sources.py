"""The grammar of the client's artifact `allowed_sources` entries (URL prefixes and hosts).

Parsed when the agent config is validated, so a bad entry stops the agent at start;
matching URLs against the parsed rules is the client's (`client/artifacts/allow.py`).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class AllowRule:
    text: str
    scheme: str | None  # None: http or https
    host: str  # lowercase; "*.example.com" matches subdomains; "" for file rules
    port: int | None  # None: any port (host rules) / the scheme's default (URL rules)
    path: str  # a prefix on segment boundaries; "" allows every path


def parse_rule(text: str) -> AllowRule:
    """One `allowed_sources` entry; ValueError for an entry that cannot mean anything."""
    entry = text.strip()
    if "://" not in entry:
        host, _, port = entry.partition(":")
        if not host or "/" in entry:
            raise ValueError(f"invalid allowed_sources entry {text!r}: want a URL or a host")
        return AllowRule(text, None, host.lower(), _port(text, port), "")
    parts = urlsplit(entry)
    scheme = parts.scheme.lower()
    if scheme == "file":
        if parts.netloc or not parts.path.startswith("/"):
            raise ValueError(f"invalid allowed_sources entry {text!r}: want file:///<dir>")
        return AllowRule(text, "file", "", None, clean_path(parts.path))
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        raise ValueError(f"invalid allowed_sources entry {text!r}: want http(s)://host/...")
    number = parts.port if parts.port is not None else DEFAULT_PORTS[scheme]
    return AllowRule(text, scheme, parts.hostname.lower(), number, clean_path(parts.path))


def clean_path(path: str) -> str:
    """Dot segments removed, no trailing slash; "" for the root."""
    if not path:
        return ""
    clean = posixpath.normpath("/" + path.lstrip("/"))
    return "" if clean == "/" else clean.rstrip("/")


def _port(text: str, port: str) -> int | None:
    if not port:
        return None
    if not port.isdigit():
        raise ValueError(f"invalid allowed_sources entry {text!r}: bad port {port!r}")
    return int(port)
