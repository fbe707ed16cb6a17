"""The built UI files, read once when the HTTP app is built: names, bytes and MIME types.

The bundle is small (a few hundred KiB), so it is held in memory: a request is a dict
lookup, never a path joined from what the caller sent (no traversal to guard).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from pathlib import Path

# Explicit, so a host's /etc/mime.types cannot serve a script as text/plain (browsers
# refuse it under `X-Content-Type-Options: nosniff`).
MIME_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
              ".map": "application/json", ".html": "text/html; charset=utf-8",
              ".svg": "image/svg+xml", ".png": "image/png", ".ico": "image/x-icon",
              ".woff2": "font/woff2", ".json": "application/json"}
NOT_BUILT = ("the web UI was not built: run scripts/setup (or `npm --prefix web ci && "
             "npm --prefix web run build`), then restart the agent")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str
    gzipped: bytes | None = None  # text assets, compressed once here (None when it saves little)


@dataclass(frozen=True)
class Bundle:
    """`index` is the page shell (None when the UI was not built); `assets` the hashed files
    under `assets/`, by file name."""

    index: Asset | None
    assets: dict[str, Asset]


def static_dir() -> Path:
    return Path(__file__).with_name("static")


def load(root: Path) -> Bundle:
    """The bundle under `root` (`static_dir()` in an agent); empty when it is missing."""
    index_path = root / "index.html"
    index = _asset(index_path) if index_path.is_file() else None
    assets_dir = root / "assets"
    assets = {p.name: _asset(p) for p in sorted(assets_dir.iterdir())
              if p.is_file() and p.suffix in MIME_TYPES} if assets_dir.is_dir() else {}
    return Bundle(index=index, assets=assets)


def _asset(path: Path) -> Asset:
    body = path.read_bytes()
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(body=body, media_type=MIME_TYPES[path.suffix],
                 etag='"' + hashlib.sha256(body).hexdigest()[:32] + '"',
                 gzipped=packed if len(packed) < len(body) * 0.9 else None)
