"""The one table of a job's fields: for every block of a job, which of Nomad's fields
caravan implements and which it refuses, each by its HCL name and its JSON key.

The HCL decoder (`hcl_*.py`) and the JSON decoder (`json_job.py`, used for JSON files
and for every API body) both read it, so a job means the same whichever way it
arrives: an implemented field is honoured; a refused one is an error naming it (in
JSON, unless it carries nothing: null, empty, zero or Nomad's own default, as Nomad's
CLI and python-nomad send whole structs); any other name is unknown. A field added
to a model or an HCL spec without a row here fails `tests/unit/jobspec/test_fields.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from pydantic import BaseModel

from caravan.structs import (
    Affinity,
    Spread,
    SpreadTarget,
    CheckRestart,
    Constraint,
    EphemeralDisk,
    Job,
    LogConfig,
    NetworkResource,
    Port,
    ReschedulePolicy,
    Resources,
    RestartPolicy,
    Service,
    ServiceCheck,
    ChangeScript,
    Task,
    TaskArtifact,
    Template,
    TaskGroup,
    TaskLifecycleConfig,
    UpdateStrategy,
    VolumeMount,
    VolumeRequest,
    WaitConfig,
    WorkloadIdentity,
)
from caravan.structs.base import to_nomad
from caravan.structs.drain import MigrateStrategy
from caravan.structs.periodic import DispatchPayloadConfig, ParameterizedJobConfig, PeriodicConfig


@dataclass(frozen=True)
class Field:
    """One of Nomad's fields: its HCL name (None: JSON only, e.g. server-set), its JSON key
    (None: an HCL-only spelling) and whether HCL writes it as a block."""

    hcl: str | None
    json: str | None
    block: bool = False


def attr(hcl: str, json: str | None = None) -> Field:
    return Field(hcl, json or to_nomad(hcl))


def block(hcl: str, json: str | None = None) -> Field:
    return Field(hcl, json or to_nomad(hcl), block=True)


def json_only(*keys: str) -> tuple[Field, ...]:
    return tuple(Field(None, key) for key in keys)


def hcl_only(hcl: str, *, is_block: bool = False) -> Field:
    return Field(hcl, None, block=is_block)


@dataclass(frozen=True)
class Table:
    implemented: tuple[Field, ...]
    refused: tuple[Field, ...] = ()

    @cached_property
    def implemented_hcl(self) -> frozenset[str]:
        return frozenset(f.hcl for f in self.implemented if f.hcl)

    @cached_property
    def refused_blocks(self) -> frozenset[str]:
        return frozenset(f.hcl for f in self.refused if f.hcl and f.block)

    @cached_property
    def refused_attrs(self) -> frozenset[str]:
        return frozenset(f.hcl for f in self.refused if f.hcl and not f.block)

    @cached_property
    def implemented_json(self) -> frozenset[str]:
        """Lower-cased, as keys match case-insensitively (Go's JSON decoder does)."""
        return frozenset(f.json.lower() for f in self.implemented if f.json)

    @cached_property
    def refused_json(self) -> dict[str, str]:
        """Lower-cased key -> Nomad's spelling, for messages."""
        return {f.json.lower(): f.json for f in self.refused if f.json}


_SERVER_SET = json_only("Stop", "ParentID", "Dispatched", "Status", "StatusDescription",
                        "Stable", "Version", "SubmitTime", "CreateIndex", "ModifyIndex",
                        "JobModifyIndex")
JOB = Table(
    implemented=(
        attr("name"), attr("namespace"), attr("region"), attr("type"), attr("priority"),
        attr("all_at_once"), attr("datacenters"), attr("node_pool"), attr("id"),
        block("meta"), block("constraint", "Constraints"), block("group", "TaskGroups"),
        # A `task` directly under `job` becomes a group of its name (Nomad's HCL2).
        hcl_only("task", is_block=True), block("update"), *_SERVER_SET,
        block("periodic"), block("parameterized", "ParameterizedJob"), *json_only("Payload"),
        block("migrate"), block("affinity", "Affinities"), block("spread", "Spreads"),
    ),
    refused=(
        block("multiregion"), block("reschedule"), block("ui", "UI"), block("vault"),
        block("consul"), block("secret"), block("version_tag"), block("group_defaults"),
        attr("vault_token"), attr("consul_token"), attr("consul_namespace"),
        attr("vault_namespace"),
        *json_only("NomadTokenID", "DispatchIdempotencyToken", "VersionTag"),
    ),
)
GROUP = Table(
    implemented=(
        attr("count"), block("meta"), block("constraint", "Constraints"),
        block("restart", "RestartPolicy"), block("reschedule", "ReschedulePolicy"),
        block("ephemeral_disk"), block("volume", "Volumes"), block("task", "Tasks"),
        block("network", "Networks"), block("service", "Services"), block("update"),
        *json_only("Name"), block("affinity", "Affinities"), block("spread", "Spreads"),
        block("migrate"),
    ),
    refused=(
        block("scaling"), block("consul"),
        block("disconnect"), attr("shutdown_delay"), attr("max_run_duration"),
        attr("stop_after_client_disconnect"), attr("max_client_disconnect"),
        attr("prevent_reschedule_on_lost"),
    ),
)
TASK = Table(
    implemented=(
        attr("driver"), attr("user"), attr("kill_timeout"), attr("kill_signal"),
        attr("leader"), block("config"), block("env"), block("meta"), block("resources"),
        block("constraint", "Constraints"), block("restart", "RestartPolicy"),
        block("logs", "LogConfig"), block("artifact", "Artifacts"),
        block("volume_mount", "VolumeMounts"), block("lifecycle"),
        block("service", "Services"), block("action", "Actions"),
        block("template", "Templates"), *json_only("Name"), block("identity"),
        block("dispatch_payload"), block("affinity", "Affinities"),
    ),
    refused=(
        block("vault"),
        block("consul"),
        block("csi_plugin", "CSIPluginConfig"),
        block("scaling", "ScalingPolicies"), block("schedule"),
        block("secret", "Secrets"), block("spread", "Spreads"), attr("shutdown_delay"),
        attr("kind"), *json_only("Identities"),
    ),
)
# The task's default identity; named ones (for Consul, Vault) need those integrations.
IDENTITY = Table(
    implemented=(attr("name"), attr("aud", "Audience"), attr("env"), attr("file"),
                 attr("ttl", "TTL")),
    refused=(attr("change_mode"), attr("change_signal"), attr("filepath"),
             *json_only("ServiceName")),
)
RESOURCES = Table(
    implemented=(attr("cpu", "CPU"), attr("cores"), attr("memory", "MemoryMB"),
                 attr("memory_max", "MemoryMaxMB"), attr("disk", "DiskMB"),
                 attr("secrets", "SecretsMB"), block("network", "Networks")),
    refused=(block("device", "Devices"), block("numa", "NUMA"), attr("iops", "IOPS")),
)
# The job's network names ports and a mode; device, address and CIDR are the node's,
# filled in by the scheduler, so a job may not set them.
NETWORK = Table(
    implemented=(attr("mode"), attr("mbits", "MBits"),
                 block("port", "DynamicPorts"), *json_only("ReservedPorts")),
    refused=(block("dns", "DNS"), block("cni", "CNI"), attr("hostname"),
             attr("device"), attr("cidr", "CIDR"), attr("ip", "IP")),
)
PORT = Table(
    implemented=(attr("static", "Value"), attr("to"), attr("host_network"),
                 *json_only("Label")),
    refused=(attr("ignore_collision"),),
)
LOGS = Table(
    implemented=(attr("max_files"), attr("max_file_size", "MaxFileSizeMB"), attr("disabled")),
    refused=(attr("enabled"),),
)
ARTIFACT = Table(
    implemented=(attr("source", "GetterSource"), attr("destination", "RelativeDest"),
                 attr("mode", "GetterMode"), attr("chown"),
                 attr("insecure", "GetterInsecure"), block("options", "GetterOptions"),
                 block("headers", "GetterHeaders")),
)
VOLUME = Table(
    implemented=(attr("type"), attr("source"), attr("read_only"), *json_only("Name")),
    refused=(attr("access_mode"), attr("attachment_mode"), attr("per_alloc"),
             attr("sticky"), block("mount_options")),
)
# Modelled, but nothing propagates mounts or keeps an ephemeral disk yet: refused, so
# that a job asking for them is told, not run without them.
VOLUME_MOUNT = Table(
    implemented=(attr("volume"), attr("destination"), attr("read_only")),
    refused=(attr("selinux_label", "SELinuxLabel"), attr("propagation_mode")),
)
_VALUE_SHORTHANDS = ("version", "semver", "regexp", "set_contains", "set_contains_any",
                     "set_contains_all", "distinct_hosts", "distinct_property")
CONSTRAINT = Table(
    implemented=(attr("attribute", "LTarget"), attr("operator", "Operand"),
                 attr("value", "RTarget"), *(hcl_only(name) for name in _VALUE_SHORTHANDS)),
)
# Placement preferences, scored by caravan/server/scheduler/affinity.py and spread.py.
_AFFINITY_SHORTHANDS = ("version", "semver", "regexp", "set_contains", "set_contains_any",
                        "set_contains_all")
AFFINITY = Table(
    implemented=(attr("attribute", "LTarget"), attr("operator", "Operand"),
                 attr("value", "RTarget"), attr("weight"),
                 *(hcl_only(name) for name in _AFFINITY_SHORTHANDS)),
)
SPREAD = Table(implemented=(attr("attribute"), attr("weight"), block("target", "SpreadTarget")))
# `target "<value>" { percent = N }`: the value is the block's label.
SPREAD_TARGET = Table(implemented=(attr("percent"), *json_only("Value")))
RESTART = Table(
    implemented=(attr("attempts"), attr("interval"), attr("delay"), attr("mode"),
                 attr("render_templates")),
)
RESCHEDULE = Table(
    implemented=(attr("attempts"), attr("interval"), attr("delay"), attr("delay_function"),
                 attr("max_delay"), attr("unlimited")),
)
EPHEMERAL_DISK = Table(implemented=(attr("size", "SizeMB"),),
                       refused=(attr("sticky"), attr("migrate")))
LIFECYCLE = Table(implemented=(attr("hook"), attr("sidecar")))
# Nomad's own service provider, with the checks its client runs.
SERVICE = Table(
    implemented=(attr("name"), attr("tags"), attr("canary_tags"), attr("port", "PortLabel"),
                 attr("address_mode"), attr("address"), attr("provider"),
                 attr("task", "TaskName"), attr("on_update"), block("meta"),
                 block("check", "Checks"), block("check_restart")),
    refused=(block("connect"), block("tagged_addresses"), block("identity"),
             block("canary_meta"), block("weights"), attr("enable_tag_override"),
             attr("kind"), attr("cluster")),
)
CHECK = Table(
    implemented=(attr("name"), attr("type"), attr("path"), attr("protocol"),
                 attr("port", "PortLabel"), attr("method"), attr("body"), attr("command"),
                 attr("args"), attr("interval"), attr("timeout"), attr("task", "TaskName"),
                 attr("on_update"), block("check_restart"), block("header")),
    refused=(attr("expose"), attr("address_mode"), attr("advertise"), attr("initial_status"),
             attr("notes"), attr("tls_server_name"), attr("tls_skip_verify"),
             attr("grpc_service", "GRPCService"), attr("grpc_use_tls", "GRPCUseTLS"),
             attr("success_before_passing"), attr("failures_before_critical"),
             attr("failures_before_warning")),
)
CHECK_RESTART = Table(implemented=(attr("limit"), attr("grace"), attr("ignore_warnings")))
# Rolling updates and canaries (`caravan/server/deployments/`).
UPDATE = Table(
    implemented=(attr("max_parallel"), attr("health_check"), attr("min_healthy_time"),
                 attr("healthy_deadline"), attr("progress_deadline"), attr("auto_revert"),
                 attr("auto_promote"), attr("canary"), attr("stagger")),
)
# How a drained node's allocations move (`caravan/server/drain/`).
MIGRATE = Table(implemented=(attr("max_parallel"), attr("health_check"),
                             attr("min_healthy_time"), attr("healthy_deadline")))
# `cron` is the older single spec, `crons` the list (Nomad 1.6+); SpecType is JSON only.
PERIODIC = Table(implemented=(attr("cron", "Spec"), attr("crons", "Specs"),
                              attr("prohibit_overlap"), attr("time_zone"), attr("enabled"),
                              *json_only("SpecType")))
PARAMETERIZED = Table(implemented=(attr("payload"), attr("meta_required"),
                                   attr("meta_optional")))
DISPATCH_PAYLOAD = Table(implemented=(attr("file"),))
# Rendered by the client's template hook (caravan/client/template/).
TEMPLATE = Table(
    implemented=(attr("data", "EmbeddedTmpl"), attr("source", "SourcePath"),
                 attr("destination", "DestPath"), attr("perms"), attr("uid", "Uid"),
                 attr("gid", "Gid"), attr("left_delimiter", "LeftDelim"),
                 attr("right_delimiter", "RightDelim"), attr("env", "Envvars"),
                 attr("change_mode"), attr("change_signal"), block("change_script"),
                 attr("splay"), block("wait"), attr("error_on_missing_key", "ErrMissingKey"),
                 attr("once")),
    # Ignored by Nomad itself since Vault 0.5; a value is refused rather than dropped.
    refused=(attr("vault_grace"),),
)
CHANGE_SCRIPT = Table(
    implemented=(attr("command"), attr("args"), attr("timeout"), attr("fail_on_error")),
    refused=(attr("run_on_first_render"),),
)
WAIT = Table(implemented=(attr("min"), attr("max")))

# The JSON decoder's view: each model of a job, and its table.
BY_MODEL: dict[type[BaseModel], Table] = {
    Job: JOB, TaskGroup: GROUP, Task: TASK, Resources: RESOURCES, NetworkResource: NETWORK,
    Port: PORT, LogConfig: LOGS, TaskArtifact: ARTIFACT, VolumeRequest: VOLUME,
    VolumeMount: VOLUME_MOUNT, Constraint: CONSTRAINT, RestartPolicy: RESTART,
    ReschedulePolicy: RESCHEDULE, EphemeralDisk: EPHEMERAL_DISK, TaskLifecycleConfig: LIFECYCLE,
    Service: SERVICE, ServiceCheck: CHECK, CheckRestart: CHECK_RESTART, UpdateStrategy: UPDATE,
    PeriodicConfig: PERIODIC, ParameterizedJobConfig: PARAMETERIZED,
    DispatchPayloadConfig: DISPATCH_PAYLOAD,
    Template: TEMPLATE, ChangeScript: CHANGE_SCRIPT, WaitConfig: WAIT,
    WorkloadIdentity: IDENTITY, Affinity: AFFINITY, Spread: SPREAD, SpreadTarget: SPREAD_TARGET,
    MigrateStrategy: MIGRATE,
}
