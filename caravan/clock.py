"""Time as a parameter: components take a Clock so tests can choose the time."""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    def now_ns(self) -> int:
        """Wall-clock Unix time in nanoseconds (Nomad's CreateTime/ModifyTime unit)."""
        ...


class SystemClock:
    def now_ns(self) -> int:
        return time.time_ns()


NS_PER_SECOND = 1_000_000_000
