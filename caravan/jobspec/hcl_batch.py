"""Decoders for the blocks of batch work launched by the server: a job's `periodic` and
`parameterized` blocks and a task's `dispatch_payload`."""

from __future__ import annotations

from caravan.jobspec.hcl_body import Body, Spec
from caravan.jobspec.hcl_common import optional_block
from caravan.jobspec.hcl_values import to_bool, to_string, to_strings
from caravan.structs.periodic import DispatchPayloadConfig, ParameterizedJobConfig, PeriodicConfig

PERIODIC = Spec(attrs={"cron": ("spec", to_string), "crons": ("specs", to_strings),
                       "prohibit_overlap": ("prohibit_overlap", to_bool),
                       "time_zone": ("time_zone", to_string), "enabled": ("enabled", to_bool)})
PARAMETERIZED = Spec(attrs={"payload": ("payload", to_string),
                            "meta_required": ("meta_required", to_strings),
                            "meta_optional": ("meta_optional", to_strings)})
DISPATCH_PAYLOAD = Spec(attrs={"file": ("file", to_string)})


def periodic(job: Body) -> PeriodicConfig | None:
    return optional_block(job, "periodic", PERIODIC, PeriodicConfig)


def parameterized(job: Body) -> ParameterizedJobConfig | None:
    return optional_block(job, "parameterized", PARAMETERIZED, ParameterizedJobConfig)


def dispatch_payload(task: Body) -> DispatchPayloadConfig | None:
    return optional_block(task, "dispatch_payload", DISPATCH_PAYLOAD, DispatchPayloadConfig)
