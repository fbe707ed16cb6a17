"""Decodes `service { name port tags meta address_mode address provider task }` blocks of
a group or a task. Health `check` blocks are refused until caravan runs them."""

from __future__ import annotations

from caravan.jobspec.hcl_body import Body, Spec
from caravan.jobspec.hcl_common import block_body, present, string_map
from caravan.jobspec.hcl_values import to_string, to_strings
from caravan.structs import Service

SERVICE = Spec(
    attrs={"name": ("name", to_string), "port": ("port_label", to_string),
           "tags": ("tags", to_strings), "canary_tags": ("canary_tags", to_strings),
           "address_mode": ("address_mode", to_string), "address": ("address", to_string),
           "provider": ("provider", to_string), "task": ("task_name", to_string),
           "on_update": ("on_update", to_string)},
    maps=frozenset({"meta"}),
    unsupported_blocks=frozenset({"check", "check_restart", "connect", "tagged_addresses",
                                  "identity", "canary_meta"}),
    unsupported_attrs=frozenset({"enable_tag_override", "kind", "cluster"}),
)


def services(parent: Body) -> list[Service] | None:
    out = []
    for i, block in enumerate(parent.blocks.get("service", [])):
        body, fields = block_body(parent, block, f"{parent.path}.service[{i}]", SERVICE)
        fields["meta"] = string_map(body, "meta")
        out.append(Service.model_validate(present(fields)))
    return out or None
