"""A periodic job's next launch as `job run` and `job status` print it, computed from the
job's own spec on the caller's clock (as Nomad's CLI does)."""

from __future__ import annotations

from datetime import datetime, timezone

from caravan.cli.formatting import format_time, go_duration
from caravan.clock import NS_PER_SECOND
from caravan.structs import Job


def next_launch_text(job: Job, now_ns: int) -> str | None:
    """`2026-12-03T15:00:00Z (12m5s from now)`; None when the job is not periodic or has no
    further launch."""
    if job.periodic is None or job.is_parameterized():
        return None
    now = datetime.fromtimestamp(now_ns // NS_PER_SECOND, tz=timezone.utc)
    try:
        next_time = job.periodic.next_after(now)
    except (ValueError, KeyError):  # an unknown time zone: the server refuses the job
        return None
    if next_time is None:
        return None
    wait_ns = int((next_time - now).total_seconds()) * NS_PER_SECOND
    return f"{format_time(next_time)} ({go_duration(wait_ns)} from now)"


def next_launch_row(job: Job, now_ns: int) -> tuple[str, str] | None:
    """The `Next Periodic Launch` row of `job status`."""
    if job.periodic is None or job.is_parameterized():
        return None
    if job.stop:
        return ("Next Periodic Launch", "none (job stopped)")
    text = next_launch_text(job, now_ns)
    return ("Next Periodic Launch", text) if text else None
