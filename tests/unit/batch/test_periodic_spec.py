"""Periodic blocks: Nomad's cron dialect (cronexpr's 5, 6 and 7 fields, descriptors),
time zones, the checks at registration, and the HCL and JSON spellings."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from caravan.errors import JobValidationError
from caravan.jobspec import parse_hcl, parse_json
from caravan.structs import canonicalize, validate_job
from caravan.structs.periodic import PeriodicConfig, cron_problem

T0 = datetime(2026, 3, 7, 10, 15, 30, tzinfo=timezone.utc)  # a Saturday


@pytest.mark.parametrize(("spec", "expected"), [
    ("*/15 * * * *", datetime(2026, 3, 7, 10, 30, tzinfo=timezone.utc)),   # 5: minutes
    ("0 12 * * * 2027", datetime(2027, 1, 1, 12, 0, tzinfo=timezone.utc)),  # 6: + year
    ("*/20 * * * * * *", datetime(2026, 3, 7, 10, 15, 40, tzinfo=timezone.utc)),  # 7: seconds
    ("@hourly", datetime(2026, 3, 7, 11, 0, tzinfo=timezone.utc)),
    ("@weekly", datetime(2026, 3, 8, 0, 0, tzinfo=timezone.utc)),
])
def test_nomads_cron_dialect(spec: str, expected: datetime) -> None:
    assert PeriodicConfig(spec=spec).next_after(T0) == expected


def test_the_earliest_of_several_crons_and_the_time_zone_count() -> None:
    p = PeriodicConfig(specs=["0 18 * * *", "0 11 * * *"], time_zone="America/New_York")
    # 10:15:30 UTC is 05:15:30 in New York (EST): 11:00 there comes first, at 16:00 UTC.
    assert p.next_after(T0) == datetime(2026, 3, 7, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("spec", ["* * *", "61 * * * *", "@fortnightly", "a b c d e"])
def test_bad_specs_are_named(spec: str) -> None:
    assert cron_problem(spec) is not None


def _job(periodic: str, job_type: str = "batch") -> str:
    return f'''job "p" {{
  type = "{job_type}"
  periodic {{
{periodic}
  }}
  group "g" {{
    task "t" {{
      driver = "raw_exec"
      config {{ command = "/bin/true" }}
    }}
  }}
}}
'''


def test_hcl_and_json_agree() -> None:
    hcl = parse_hcl(_job('    crons = ["@daily"]\n    prohibit_overlap = true\n'
                         '    time_zone = "Europe/Paris"'), filename="p.hcl")
    wire = json.dumps({"Job": canonicalize(hcl).to_wire()})
    again = parse_json(wire)
    assert again.periodic == hcl.periodic
    assert hcl.periodic is not None and hcl.periodic.specs == ["@daily"]
    assert hcl.periodic.prohibit_overlap and hcl.periodic.enabled
    older = parse_hcl(_job('    cron = "@daily"'), filename="p.hcl")
    assert older.periodic is not None and older.periodic.spec == "@daily"


@pytest.mark.parametrize(("body", "job_type", "message"), [
    ('    cron = "@daily"', "service",
     'Periodic can only be used with "batch" or "sysbatch" scheduler'),
    ('    cron = "@daily"\n    crons = ["@hourly"]', "batch", "Only cron or crons may be used"),
    ("    prohibit_overlap = true", "batch", "Must specify a spec"),
    ('    cron = "@daily"\n    time_zone = "Nowhere/Land"', "batch",
     'Invalid time zone "Nowhere/Land": unknown time zone Nowhere/Land'),
])
def test_registration_checks(body: str, job_type: str, message: str) -> None:
    job = canonicalize(parse_hcl(_job(body, job_type), filename="p.hcl"))
    with pytest.raises(JobValidationError) as info:
        validate_job(job)
    assert [(e.path, e.message) for e in info.value.errors] == [("Periodic", message)]


def test_a_disabled_block_is_not_checked() -> None:
    validate_job(canonicalize(parse_hcl(_job("    enabled = false"), filename="p.hcl")))
