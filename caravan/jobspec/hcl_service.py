"""Decodes `service { name port tags meta address_mode address provider task
check { ... } check_restart { ... } }` blocks of a group or a task."""

from __future__ import annotations

from caravan.jobspec import fields as table
from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_common import block_body, optional_block, present, string_map
from caravan.jobspec.hcl_values import free_form, to_bool, to_duration, to_int, to_string, to_strings
from caravan.structs import CheckRestart, Service, ServiceCheck

SERVICE = Spec(
    attrs={"name": ("name", to_string), "port": ("port_label", to_string),
           "tags": ("tags", to_strings), "canary_tags": ("canary_tags", to_strings),
           "address_mode": ("address_mode", to_string), "address": ("address", to_string),
           "provider": ("provider", to_string), "task": ("task_name", to_string),
           "on_update": ("on_update", to_string)},
    blocks=frozenset({"check", "check_restart"}),
    maps=frozenset({"meta"}),
    unsupported_blocks=table.SERVICE.refused_blocks,
    unsupported_attrs=table.SERVICE.refused_attrs,
)
CHECK = Spec(
    attrs={"name": ("name", to_string), "type": ("type", to_string),
           "path": ("path", to_string), "protocol": ("protocol", to_string),
           "port": ("port_label", to_string), "method": ("method", to_string),
           "body": ("body", to_string), "command": ("command", to_string),
           "args": ("args", to_strings), "interval": ("interval", to_duration),
           "timeout": ("timeout", to_duration), "task": ("task_name", to_string),
           "on_update": ("on_update", to_string)},
    blocks=frozenset({"check_restart", "header"}),
    unsupported_blocks=table.CHECK.refused_blocks,
    unsupported_attrs=table.CHECK.refused_attrs,
)
CHECK_RESTART = Spec(attrs={"limit": ("limit", to_int), "grace": ("grace", to_duration),
                            "ignore_warnings": ("ignore_warnings", to_bool)})


def services(parent: Body) -> list[Service] | None:
    out = []
    for i, block in enumerate(parent.blocks.get("service", [])):
        body, fields = block_body(parent, block, f"{parent.path}.service[{i}]", SERVICE)
        fields.update(meta=string_map(body, "meta"), checks=_checks(body),
                      check_restart=optional_block(body, "check_restart", CHECK_RESTART,
                                                   CheckRestart))
        out.append(Service.model_validate(present(fields)))
    return out or None


def _checks(service: Body) -> list[ServiceCheck] | None:
    out = []
    for i, block in enumerate(service.blocks.get("check", [])):
        body, fields = block_body(service, block, f"{service.path}.check[{i}]", CHECK)
        fields.update(header=_header(body, body.single("header")),
                      check_restart=optional_block(body, "check_restart", CHECK_RESTART,
                                                   CheckRestart))
        out.append(ServiceCheck.model_validate(present(fields)))
    return out or None


def _header(check: Body, block: RawBlock | None) -> dict[str, list[str]] | None:
    """`header { Authorization = ["Basic ..."] }`: each value a list of strings."""
    if block is None:
        return None
    check.no_labels(block, f"{check.path}.header")
    return {str(k): to_strings(v) for k, v in free_form(block.content).items()
            if not (str(k).startswith("__") and str(k).endswith("__"))}
