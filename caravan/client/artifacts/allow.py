"""The client's artifact source allow-list: which URLs a task may make this node fetch.

An empty list allows any http/https URL and no `file://` path: the agent runs as
root, so copying host files into a task is opt-in, per directory. Every URL a fetch
touches is checked, redirect targets included, so a redirect cannot leave the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from caravan.client.artifacts.errors import GetterError
from caravan.config.sources import DEFAULT_PORTS, AllowRule, clean_path

# Percent-encoded dots and slashes could let a server see a path the prefix check did not.
_ENCODED_TRICKS = ("%2e", "%2f", "%5c")


@dataclass(frozen=True)
class Target:
    """The parts of a URL the allow-list looks at."""

    scheme: str
    host: str
    port: int | None
    path: str


def target_of(url: str) -> Target:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    port = parts.port if parts.port is not None else DEFAULT_PORTS.get(scheme)
    # A file rule names a host path; a file URL's path is percent-encoded.
    path = unquote(parts.path) if scheme == "file" else parts.path
    return Target(scheme, (parts.hostname or "").lower(), port, path)


def check_allowed(url: str, rules: Sequence[AllowRule], *, shown: str | None = None) -> None:
    """Raise GetterError unless `url` may be fetched; `shown` is the URL to name in errors."""
    try:
        target = target_of(url)
    except ValueError as err:
        raise GetterError(f"invalid URL {shown or url}: {err}") from err
    if not rules and target.scheme != "file":
        return
    if any(_matches(rule, target) for rule in rules):
        return
    hint = ("file:// sources must be listed in the client's artifact allowed_sources"
            if target.scheme == "file" else None)
    raise GetterError(f"source {shown or url} is not allowed by the client's artifact "
                      "allowed_sources", hint=hint)


def _matches(rule: AllowRule, target: Target) -> bool:
    if rule.scheme is None:
        scheme_ok = target.scheme in DEFAULT_PORTS
    else:
        scheme_ok = rule.scheme == target.scheme
    if not scheme_ok or not _host_matches(rule.host, target.host):
        return False
    if rule.port is not None and rule.port != target.port:
        return False
    return _path_matches(rule.path, target.path)


def _host_matches(pattern: str, host: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:]) and len(host) > len(pattern) - 1
    return pattern == host


def _path_matches(prefix: str, path: str) -> bool:
    if not prefix:
        return True
    if any(trick in path.lower() for trick in _ENCODED_TRICKS):
        return False
    clean = clean_path(path)
    return clean == prefix or clean.startswith(prefix + "/")
