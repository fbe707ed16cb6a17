"""Decodes a `task` block and the blocks inside it into `structs.Task`."""

from __future__ import annotations

from typing import Any

from caravan.jobspec import fields as table
from caravan.jobspec.hcl_action import actions
from caravan.jobspec.hcl_batch import dispatch_payload
from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_common import (
    RESTART,
    block_body,
    constraints,
    optional_block,
    present,
    string_map,
)
from caravan.jobspec.hcl_network import networks
from caravan.jobspec.hcl_placement import affinities
from caravan.jobspec.hcl_service import services
from caravan.jobspec.hcl_template import templates
from caravan.jobspec.hcl_values import (
    free_form,
    to_bool,
    to_duration,
    to_int,
    to_string,
    to_strings,
)
from caravan.structs import (
    LogConfig,
    Resources,
    RestartPolicy,
    Task,
    TaskArtifact,
    TaskLifecycleConfig,
    VolumeMount,
    WorkloadIdentity,
)

TASK = Spec(
    attrs={"driver": ("driver", to_string), "user": ("user", to_string),
           "kill_timeout": ("kill_timeout", to_duration),
           "kill_signal": ("kill_signal", to_string), "leader": ("leader", to_bool)},
    blocks=frozenset({"resources", "constraint", "restart", "logs", "artifact",
                      "volume_mount", "lifecycle", "service", "action", "identity",
                      "template", "dispatch_payload", "affinity"}),
    maps=frozenset({"config", "env", "meta"}),
    unsupported_blocks=table.TASK.refused_blocks,
    unsupported_attrs=table.TASK.refused_attrs,
)
RESOURCES = Spec(
    attrs={"cpu": ("cpu", to_int), "cores": ("cores", to_int), "memory": ("memory_mb", to_int),
           "memory_max": ("memory_max_mb", to_int), "disk": ("disk_mb", to_int),
           "secrets": ("secrets_mb", to_int)},
    blocks=frozenset({"network"}),
    unsupported_blocks=table.RESOURCES.refused_blocks,
    unsupported_attrs=table.RESOURCES.refused_attrs,
)
LOGS = Spec(
    attrs={"max_files": ("max_files", to_int), "max_file_size": ("max_file_size_mb", to_int),
           "disabled": ("disabled", to_bool)},
    unsupported_attrs=table.LOGS.refused_attrs,
)
ARTIFACT = Spec(
    attrs={"source": ("getter_source", to_string), "destination": ("relative_dest", to_string),
           "mode": ("getter_mode", to_string), "chown": ("chown", to_bool),
           "insecure": ("getter_insecure", to_bool)},
    maps=frozenset({"options", "headers"}),
)
LIFECYCLE = Spec(
    attrs={"hook": ("hook", to_string), "sidecar": ("sidecar", to_bool)},
)
IDENTITY = Spec(
    attrs={"name": ("name", to_string), "aud": ("audience", to_strings),
           "env": ("env", to_bool), "file": ("file", to_bool), "ttl": ("ttl", to_duration)},
    unsupported_attrs=table.IDENTITY.refused_attrs,
)
VOLUME_MOUNT = Spec(
    attrs={"volume": ("volume", to_string), "destination": ("destination", to_string),
           "read_only": ("read_only", to_bool)},
    unsupported_attrs=table.VOLUME_MOUNT.refused_attrs,
)


def task(parent: Body, block: RawBlock, index: int) -> Task:
    name = parent.label(block, f"{parent.path}.task[{index}]", 'task "server" { ... }')
    path = f'{parent.path}.task["{name}"]' if name else f"{parent.path}.task[{index}]"
    body = parent.child(block, path)
    body.check(TASK)
    fields = body.convert(TASK)
    if "driver" not in body.attrs:
        body.error('missing required attribute "driver"')
    fields.update(
        name=name, config=_config(body), env=string_map(body, "env"),
        meta=string_map(body, "meta"), constraints=constraints(body),
        affinities=affinities(body), resources=_resources(body),
        restart_policy=optional_block(body, "restart", RESTART, RestartPolicy),
        log_config=optional_block(body, "logs", LOGS, LogConfig),
        artifacts=_artifacts(body), volume_mounts=_volume_mounts(body),
        lifecycle=optional_block(body, "lifecycle", LIFECYCLE, TaskLifecycleConfig),
        services=services(body), actions=actions(body), templates=templates(body),
        dispatch_payload=dispatch_payload(body),
        identity=optional_block(body, "identity", IDENTITY, WorkloadIdentity),
    )
    return Task.model_validate(present(fields))


def _resources(body: Body) -> Resources | None:
    block = body.single("resources")
    if block is None:
        return None
    resources, fields = block_body(body, block, f"{body.path}.resources", RESOURCES)
    return Resources.model_validate(present({**fields, "networks": networks(resources)}))


def _config(body: Body) -> dict[str, Any] | None:
    """The driver's free-form config, kept as written (the client's driver decodes it)."""
    if "config" in body.attrs:
        value = body.attrs["config"]
        if isinstance(value, dict):
            return dict(free_form(value))
        body.error("config must be a block: config { ... }", line=body.attr_line("config"),
                   path=f"{body.path}.config")
        return None
    block = body.single("config")
    if block is None:
        return None
    body.no_labels(block, f"{body.path}.config")
    return dict(free_form(block.content))


def _artifacts(body: Body) -> list[TaskArtifact] | None:
    out = []
    for i, block in enumerate(body.blocks.get("artifact", [])):
        artifact, fields = block_body(body, block, f"{body.path}.artifact[{i}]", ARTIFACT)
        fields.update(getter_options=string_map(artifact, "options"),
                      getter_headers=string_map(artifact, "headers"))
        out.append(TaskArtifact.model_validate(present(fields)))
    return out or None


def _volume_mounts(body: Body) -> list[VolumeMount] | None:
    out = []
    for i, block in enumerate(body.blocks.get("volume_mount", [])):
        _, fields = block_body(body, block, f"{body.path}.volume_mount[{i}]", VOLUME_MOUNT)
        out.append(VolumeMount.model_validate(fields))
    return out or None
