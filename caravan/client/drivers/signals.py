"""Signal names as jobs and the CLI write them (`SIGINT`, `sighup`, `USR1`) -> numbers."""

from __future__ import annotations

import signal


def signal_number(name: str, default: int = signal.SIGINT) -> int:
    """Nomad's lookup: a known name or number gives its signal, anything else `default`."""
    text = name.strip().upper()
    if text.isdigit():
        return int(text)
    if text and not text.startswith("SIG"):
        text = "SIG" + text
    member = signal.Signals.__members__.get(text)
    return int(member) if member is not None else default


def signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
