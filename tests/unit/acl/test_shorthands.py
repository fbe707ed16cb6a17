"""Shorthand policies expand to exactly Nomad's capability sets."""

from __future__ import annotations

import pytest

from caravan.acl import NamespaceCapability, parse_policy
from caravan.acl.capabilities import (
    HOST_VOLUME_SHORTHANDS,
    NAMESPACE_CAPABILITIES,
    NAMESPACE_SHORTHANDS,
    NODE_POOL_SHORTHANDS,
    OPERATOR_SHORTHANDS,
)

READ = {"list-jobs", "parse-job", "read-job", "csi-list-volume", "csi-read-volume",
        "read-job-scaling", "list-scaling-policies", "read-scaling-policy", "host-volume-read"}
WRITE = READ | {"scale-job", "submit-job", "dispatch-job", "read-logs", "read-fs",
                "alloc-exec", "alloc-port-forward", "alloc-lifecycle", "csi-mount-volume", "csi-write-volume",
                "submit-recommendation", "host-volume-create"}
SCALE = {"list-scaling-policies", "read-scaling-policy", "read-job-scaling", "scale-job",
         "read-job", "submit-recommendation"}


def _granted(body: str) -> frozenset[str]:
    return parse_policy(f'namespace "default" {{ {body} }}').namespaces[0].capabilities


@pytest.mark.parametrize("level, expected", [
    ("deny", {"deny"}), ("read", READ), ("write", WRITE), ("scale", SCALE)])
def test_namespace_shorthands(level: str, expected: set[str]) -> None:
    assert NAMESPACE_SHORTHANDS[level] == expected
    assert _granted(f'policy = "{level}"') == expected


def test_alloc_node_exec_is_in_no_shorthand_and_must_be_granted_explicitly() -> None:
    assert all("alloc-node-exec" not in caps for caps in NAMESPACE_SHORTHANDS.values())
    assert "alloc-node-exec" in _granted('policy = "write"\n capabilities = ["alloc-node-exec"]')


def test_the_capability_list_is_nomads() -> None:
    caravans_own = {"alloc-port-forward"}
    assert len(NAMESPACE_CAPABILITIES - caravans_own) == 45
    assert {c.value for c in NamespaceCapability} == NAMESPACE_CAPABILITIES
    assert {"register-job", "purge-job", "delete-service-registration",
            "sentinel-override"} <= NAMESPACE_CAPABILITIES


@pytest.mark.parametrize("capability, implied", [
    ("host-volume-write", {"host-volume-register", "host-volume-create",
                           "host-volume-delete", "host-volume-read"}),
    ("host-volume-register", {"host-volume-create", "host-volume-read"}),
    ("host-volume-create", {"host-volume-read"}),
])
def test_host_volume_capabilities_imply_weaker_ones(capability: str, implied: set[str]) -> None:
    assert _granted(f'capabilities = ["{capability}"]') == implied | {capability}


def test_explicit_capabilities_add_to_the_shorthand() -> None:
    assert _granted('policy = "read"\n capabilities = ["read-logs"]') == READ | {"read-logs"}


def test_coarse_shorthands() -> None:
    assert OPERATOR_SHORTHANDS["read"] == {"license-read", "keyring-read"}
    assert OPERATOR_SHORTHANDS["write"] == {"snapshot-save", "license-read", "keyring-rotate",
                                            "keyring-read", "keyring-delete"}
    assert HOST_VOLUME_SHORTHANDS["write"] == {"mount-readonly", "mount-readwrite"}
    assert NODE_POOL_SHORTHANDS["write"] == {"read", "write", "delete"}
