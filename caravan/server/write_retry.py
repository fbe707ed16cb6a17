"""How long a server loop waits before trying a failed state write again.

A write fails as a whole (`WriteFailed`, e.g. the data dir's disk is full) and
leaves nothing behind, so the loop that made it (a worker, the heartbeat timer)
simply tries the same operation again later: quickly at first, then every
`MAX_DELAY_S`, until the disk has room again. No restart is needed.
"""

from __future__ import annotations

FIRST_DELAY_S = 0.25
MAX_DELAY_S = 5.0


def retry_delay_s(failures: int) -> float:
    """The wait after the `failures`-th failure in a row (1-based), doubling up to the cap."""
    return min(MAX_DELAY_S, FIRST_DELAY_S * 2.0 ** max(0, failures - 1))
