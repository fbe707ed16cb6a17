"""Nomad's text layouts for namespaces (`namespace list`, `namespace status`)."""

from __future__ import annotations

from collections.abc import Sequence

from caravan.cli.formatting import format_kv, format_list
from caravan.structs.acl import Namespace


def namespaces_table(namespaces: Sequence[Namespace]) -> str:
    if not namespaces:
        return "No namespaces found"
    ordered = sorted(namespaces, key=lambda n: n.name)
    return format_list([["Name", "Description"], *([n.name, n.description] for n in ordered)])


def namespace_text(ns: Namespace) -> str:
    """Name, description, quota and the drivers and network modes it allows."""
    caps = ns.capabilities

    def joined(values: list[str] | None, default: str) -> str:
        return ",".join(values) if values else default

    text = format_kv([
        ("Name", ns.name), ("Description", ns.description), ("Quota", ns.quota),
        ("Enabled Drivers", joined(caps.enabled_task_drivers if caps else None, "*")),
        ("Disabled Drivers", joined(caps.disabled_task_drivers if caps else None, "")),
        ("Enabled Network Modes", joined(caps.enabled_network_modes if caps else None, "*")),
        ("Disabled Network Modes", joined(caps.disabled_network_modes if caps else None, "")),
    ])
    if ns.meta:
        text += "\n\nMetadata\n" + format_kv(sorted(ns.meta.items()))
    return text
