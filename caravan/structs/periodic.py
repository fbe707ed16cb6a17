"""Periodic and parameterized jobs: their blocks, the launch record, and cron arithmetic.

Nomad parses cron with gorhill/cronexpr, whose field counts differ from classic cron:
5 fields are `min hour dom month dow`, 6 add a trailing `year`, 7 put `second` first
and `year` last; `@hourly`, `@daily`, ... are accepted. croniter reads 7 fields in that
order (with `second_at_beginning`), so a 6-field spec gets a leading `0` second.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timezone

from pydantic import Field

from caravan.structs.base import Struct

SPEC_CRON = "cron"
PERIODIC_SUFFIX = "/periodic-"
DISPATCH_SUFFIX = "/dispatch-"
PAYLOAD_MODES = ("optional", "required", "forbidden")
_PREDEFINED = {"@yearly": "0 0 0 1 1 * *", "@annually": "0 0 0 1 1 * *",
               "@monthly": "0 0 0 1 * * *", "@weekly": "0 0 0 * * 0 *",
               "@daily": "0 0 0 * * * *", "@midnight": "0 0 0 * * * *",
               "@hourly": "0 0 * * * * *"}


class PeriodicConfig(Struct):
    """`periodic { crons prohibit_overlap time_zone enabled }` (`cron`: the older single spec)."""

    enabled: bool = True
    spec: str = ""
    specs: list[str] | None = None
    spec_type: str = SPEC_CRON
    prohibit_overlap: bool = False
    time_zone: str = "UTC"

    def all_specs(self) -> list[str]:
        return [self.spec] if self.spec else list(self.specs or [])

    def location(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or "UTC")

    def next_after(self, moment: datetime) -> datetime | None:
        """The earliest launch of any spec strictly after `moment`, in the job's zone."""
        local = moment.astimezone(self.location())
        found = [_next(spec, local) for spec in self.all_specs()]
        times = [t for t in found if t is not None]
        return min(times) if times else None


class PeriodicLaunch(Struct):
    """The last launch of a periodic job (first: the time it was registered)."""

    id: str = Field("", alias="ID")
    namespace: str = "default"
    launch: str = ""  # RFC 3339, as Go writes time.Time
    create_index: int = 0
    modify_index: int = 0

    def launch_time(self) -> datetime:
        return datetime.fromisoformat(self.launch.replace("Z", "+00:00"))


class ParameterizedJobConfig(Struct):
    """`parameterized { payload meta_required meta_optional }`."""

    payload: str = "optional"
    meta_required: list[str] | None = None
    meta_optional: list[str] | None = None


class DispatchPayloadConfig(Struct):
    """A task's `dispatch_payload { file }`: where the dispatched payload is written."""

    file: str = ""


def rfc3339(moment: datetime) -> str:
    text = moment.astimezone(timezone.utc).isoformat()
    return text.replace("+00:00", "Z")


def cron_problem(spec: str) -> str | None:
    """Why `spec` is not a cron expression Nomad accepts, or None."""
    from croniter import croniter  # lazily: a tenth of a second, and few callers need it
    from croniter.croniter import CroniterError

    try:
        croniter(_seven_fields(spec), second_at_beginning=True)
    except (CroniterError, ValueError, KeyError) as e:
        return str(e) or "invalid expression"
    return None


def periodic_problems(p: PeriodicConfig) -> list[str]:
    """Nomad's checks of an enabled periodic block, in its words."""
    if not p.enabled:
        return []
    out = []
    if p.spec and p.specs:
        out.append("Only cron or crons may be used")
    if not p.spec and not p.specs:
        out.append("Must specify a spec")
    try:
        p.location()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        out.append(f'Invalid time zone "{p.time_zone}": unknown time zone {p.time_zone}')
    if p.spec_type != SPEC_CRON:
        out.append(f'Unknown periodic specification type "{p.spec_type}"')
        return out
    for spec in p.all_specs():
        if (why := cron_problem(spec)) is not None:
            out.append(f'Invalid cron spec "{spec}": {why}')
    return out


def parameterized_problems(p: ParameterizedJobConfig) -> list[str]:
    out = []
    if p.payload not in PAYLOAD_MODES:
        out.append(f'Unknown payload requirement: "{p.payload}"')
    both = sorted(set(p.meta_required or []) & set(p.meta_optional or []))
    if both:
        out.append("Required and optional meta keys should be disjoint. Following keys "
                   f"exist in both: [{' '.join(both)}]")
    return out


def _seven_fields(spec: str) -> str:
    text = spec.strip()
    if text.startswith("@"):
        if text not in _PREDEFINED:
            raise ValueError(f'unknown descriptor "{text}"')
        return _PREDEFINED[text]
    fields = text.split()
    if len(fields) == 5:
        return " ".join(["0", *fields, "*"])
    if len(fields) == 6:
        return " ".join(["0", *fields])
    if len(fields) == 7:
        return text
    raise ValueError(f"{len(fields)} fields: a cron expression has 5, 6 or 7")


def _next(spec: str, after: datetime) -> datetime | None:
    from croniter import croniter
    from croniter.croniter import CroniterError

    try:
        found = croniter(_seven_fields(spec), after, second_at_beginning=True).get_next(datetime)
    except (CroniterError, ValueError, KeyError):
        return None
    assert isinstance(found, datetime)
    return found
