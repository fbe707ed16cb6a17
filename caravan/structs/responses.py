"""Bodies of write requests and responses that are not stored objects."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from caravan.structs.base import Struct
from caravan.structs.job import Job


class JobRegisterRequest(Struct):
    job: Job | None = None
    enforce_index: bool = False
    job_modify_index: int = 0
    policy_override: bool = False
    preserve_counts: bool = False
    preserve_resources: bool = False
    eval_priority: int = 0
    # The submitted source (Nomad's CLI sends its HCL); accepted, not kept: caravan does
    # not serve /v1/job/<id>/submission.
    submission: dict[str, Any] | None = None
    # Nomad's WriteRequest, embedded: the body's namespace counts when the query has none;
    # one region is all caravan has; a token goes in a header (see caravan.jobspec.request).
    region: str = ""
    namespace: str = ""
    secret_id: str = ""


class JobValidateRequest(Struct):
    job: Job | None = None
    region: str = ""
    namespace: str = ""
    secret_id: str = ""


class JobValidateResponse(Struct):
    driver_config_validated: bool = False
    validation_errors: list[str] | None = None
    error: str = ""
    warnings: str = ""


class JobRegisterResponse(Struct):
    eval_id: str = ""
    eval_create_index: int = 0
    job_modify_index: int = 0
    warnings: str = ""
    index: int = 0
    last_contact: int = 0
    known_leader: bool = True
    next_token: str = ""


class JobDeregisterResponse(Struct):
    eval_id: str = ""
    eval_create_index: int = 0
    job_modify_index: int = 0
    volume_eval_id: str = ""
    volume_eval_index: int = 0
    index: int = 0
    last_contact: int = 0
    known_leader: bool = True
    next_token: str = ""


class JobParseRequest(Struct):
    job_hcl: str = ""
    variables: str = ""
    canonicalize: bool = False


class AllocStopResponse(Struct):
    eval_id: str = ""
    index: int = 0


class NodeRegisterResponse(Struct):
    """Our client<->server contract: the node's heartbeat deadline in nanoseconds."""

    heartbeat_ttl: int = 0
    index: int = 0


class PeriodicForceResponse(Struct):
    eval_id: str = ""
    eval_create_index: int = 0
    index: int = 0


class JobDispatchResponse(Struct):
    dispatched_job_id: str = ""
    eval_id: str = ""
    eval_create_index: int = 0
    job_create_index: int = 0
    index: int = 0


class NodeEligibilityUpdateResponse(Struct):
    eval_ids: list[str] | None = Field(None, alias="EvalIDs")
    eval_create_index: int = 0
    node_modify_index: int = 0
    index: int = 0
