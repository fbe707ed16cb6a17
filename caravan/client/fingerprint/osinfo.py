"""Operating system: `os.name` and `os.version` from /etc/os-release (`ID`, `VERSION_ID`)."""

from __future__ import annotations

from caravan.client.fingerprint.base import Fingerprint, read_text


def parse_os_release(text: str) -> dict[str, str]:
    values = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() and not key.startswith("#"):
            values[key.strip()] = value.strip().strip('"').strip("'")
    return values


def fingerprint() -> Fingerprint:
    release = parse_os_release(read_text("/etc/os-release") or read_text("/usr/lib/os-release"))
    attrs = {"os.name": release.get("ID", ""), "os.version": release.get("VERSION_ID", "")}
    return Fingerprint(attributes={k: v for k, v in attrs.items() if v})
