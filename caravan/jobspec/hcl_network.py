"""Decodes `network { mode  port "label" { static  to  host_network } }`, in a group or
(Nomad's legacy place) in a task's `resources`. A port with `static` is reserved, one
without is dynamic: the scheduler picks it from the node's range."""

from __future__ import annotations

from caravan.jobspec import fields as table
from caravan.jobspec.hcl_body import Body, RawBlock, Spec
from caravan.jobspec.hcl_common import present
from caravan.jobspec.hcl_values import to_int, to_string
from caravan.structs import NetworkResource, Port

NETWORK = Spec(
    attrs={"mode": ("mode", to_string), "mbits": ("mbits", to_int)},
    blocks=frozenset({"port"}),
    unsupported_blocks=table.NETWORK.refused_blocks,
    unsupported_attrs=table.NETWORK.refused_attrs,
)
PORT = Spec(
    attrs={"static": ("value", to_int), "to": ("to", to_int),
           "host_network": ("host_network", to_string)},
    unsupported_attrs=table.PORT.refused_attrs,
)


def networks(parent: Body) -> list[NetworkResource] | None:
    blocks = parent.blocks.get("network", [])
    out = [_network(parent, block, f"{parent.path}.network[{i}]")
           for i, block in enumerate(blocks)]
    return out or None


def _network(parent: Body, block: RawBlock, path: str) -> NetworkResource:
    parent.no_labels(block, path)
    body = parent.child(block, path)
    body.check(NETWORK)
    fields = body.convert(NETWORK)
    reserved: list[Port] = []
    dynamic: list[Port] = []
    for i, port_block in enumerate(body.blocks.get("port", [])):
        label = body.label(port_block, f"{path}.port[{i}]", 'port "http" { ... }')
        port_body = body.child(port_block, f'{path}.port["{label}"]')
        port_body.check(PORT)
        port = Port.model_validate({**present(port_body.convert(PORT)), "label": label})
        (reserved if port.value else dynamic).append(port)
    return NetworkResource.model_validate(present({
        **fields, "reserved_ports": reserved or None, "dynamic_ports": dynamic or None}))
