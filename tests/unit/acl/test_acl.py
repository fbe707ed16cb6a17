"""Compiled ACLs: glob specificity, exact names, deny wins, merging, coarse levels."""

from __future__ import annotations

import pytest

from caravan.acl import ACL, Coarse, NamespaceCapability, authorize, compile_acl, parse_policy
from caravan.acl.globs import glob_pattern
from caravan.errors import PermissionDenied

NS = NamespaceCapability


def acl(*rules: str) -> ACL:
    return compile_acl(parse_policy(r) for r in rules)


@pytest.mark.parametrize("glob, name, matches", [
    ("*", "anything", True), ("*", "", True), ("team-*", "team-a", True),
    ("team-*", "team-", True), ("team-*", "teams", False), ("*-prod", "web-prod", True),
    ("*-prod", "web-prod-2", False), ("a*b*c", "a-b-c", True), ("a*b*c", "acb", False),
    ("exact", "exact", True), ("exact", "exactly", False), ("a.b*", "axb", False),
])
def test_glob_matching(glob: str, name: str, matches: bool) -> None:
    assert bool(glob_pattern(glob).fullmatch(name)) is matches


def test_the_most_specific_glob_wins() -> None:
    compiled = acl('namespace "*" { policy = "read" }',
                   'namespace "team-*" { policy = "write" }',
                   'namespace "team-a*" { policy = "deny" }')
    assert compiled.allow_namespace_operation("other", "read-job")
    assert not compiled.allow_namespace_operation("other", "submit-job")
    assert compiled.allow_namespace_operation("team-b", "submit-job")
    assert not compiled.allow_namespace_operation("team-abc", "read-job")


def test_an_exact_name_beats_any_glob() -> None:
    compiled = acl('namespace "*" { policy = "write" }',
                   'namespace "prod" { policy = "read" }')
    assert not compiled.allow_namespace_operation("prod", "submit-job")
    assert compiled.allow_namespace_operation("prod", "read-job")
    assert compiled.allow_namespace_operation("dev", "submit-job")


def test_no_matching_rule_grants_nothing() -> None:
    compiled = acl('namespace "dev" { policy = "write" }')
    assert not compiled.allow_namespace_operation("default", "list-jobs")
    assert not compiled.allow_namespace("default")
    assert not compiled.allow_node_read()


def test_capabilities_for_one_namespace_are_united_across_policies() -> None:
    compiled = acl('namespace "default" { policy = "read" }',
                   'namespace "default" { capabilities = ["alloc-node-exec"] }')
    assert compiled.allow_namespace_operation("default", "read-job")
    assert compiled.allow_namespace_operation("default", "alloc-node-exec")
    assert not compiled.allow_namespace_operation("default", "alloc-exec")


@pytest.mark.parametrize("order", [0, 1])
def test_deny_wins_over_everything_whatever_the_order(order: int) -> None:
    rules = ['namespace "default" { policy = "write"\n capabilities = ["alloc-node-exec"] }',
             'namespace "default" { policy = "deny" }']
    compiled = acl(*(rules if order == 0 else reversed(rules)))
    for capability in ("read-job", "list-jobs", "alloc-exec", "alloc-node-exec"):
        assert not compiled.allow_namespace_operation("default", capability)
    assert not compiled.allow_namespace("default")


def test_a_deny_capability_in_a_list_denies_the_namespace() -> None:
    compiled = acl('namespace "x" { capabilities = ["read-job", "deny"] }')
    assert not compiled.allow_namespace_operation("x", "read-job")


@pytest.mark.parametrize("levels, read, write", [
    (["read"], True, False), (["write"], True, True), (["read", "write"], True, True),
    (["write", "deny"], False, False), (["deny", "read"], False, False),
    (["scale"], False, False),
])
def test_coarse_policies_take_the_highest_privilege_and_deny_overrides(
        levels: list[str], read: bool, write: bool) -> None:
    compiled = acl(*(f'node {{ policy = "{level}" }}\nagent {{ policy = "{level}" }}'
                     for level in levels))
    assert (compiled.allow_node_read(), compiled.allow_node_write()) == (read, write)
    assert (compiled.allow_agent_read(), compiled.allow_agent_write()) == (read, write)


def test_operator_capabilities_and_levels() -> None:
    compiled = acl('operator { capabilities = ["snapshot-save"] }')
    assert compiled.allow_operator_operation("snapshot-save")
    assert not compiled.allow_operator_operation("keyring-rotate")
    assert not compiled.allow_operator_read()
    denied = acl('operator { policy = "write" }', 'operator { policy = "deny" }')
    assert not denied.allow_operator_write() and not denied.allow_operator_operation("license-read")


def test_plugin_list_is_weaker_than_read() -> None:
    compiled = acl('plugin { policy = "list" }')
    assert compiled.allow_plugin_list() and not compiled.allow_plugin_read()


def test_star_asks_about_any_namespace() -> None:
    compiled = acl('namespace "dev" { policy = "read" }')
    assert compiled.allow_namespace_operation("*", "list-jobs")
    assert not compiled.allow_namespace_operation("*", "submit-job")
    assert compiled.allow_any_namespace_operation("read-job")
    assert compiled.allow_namespace("*")


def test_everywhere_needs_a_star_rule_and_no_narrower_rule_taking_it_away() -> None:
    assert acl('namespace "*" { policy = "read" }').allow_namespace_operation_everywhere(
        "read-job")
    assert not acl('namespace "*" { policy = "read" }', 'namespace "secret" { policy = "deny" }'
                   ).allow_namespace_operation_everywhere("read-job")
    assert not acl('namespace "dev" { policy = "read" }').allow_namespace_operation_everywhere(
        "read-job")
    assert ACL.management().allow_namespace_operation_everywhere("read-job")


def test_host_volume_and_node_pool_rules_use_globs_too() -> None:
    compiled = acl('host_volume "*" { policy = "read" }',
                   'host_volume "scratch-*" { policy = "write" }',
                   'node_pool "gpu-*" { policy = "read" }')
    assert compiled.allow_host_volume_operation("data", "mount-readonly")
    assert not compiled.allow_host_volume_operation("data", "mount-readwrite")
    assert compiled.allow_host_volume_operation("scratch-1", "mount-readwrite")
    assert compiled.allow_node_pool_operation("gpu-a", "read")
    assert not compiled.allow_node_pool_operation("cpu", "read")


def test_management_passes_every_check() -> None:
    management = ACL.management()
    assert management.is_management
    assert all(management.allows(c, "any") for c in (*NS, *Coarse))


def test_authorize_raises_permission_denied_and_none_means_acls_disabled() -> None:
    compiled = acl('namespace "default" { policy = "read" }\nnode { policy = "read" }')
    authorize(compiled, NS.READ_JOB, "default")
    authorize(compiled, NS.READ_JOB)  # no namespace means default
    authorize(compiled, Coarse.NODE_READ)
    authorize(None, Coarse.MANAGEMENT)
    with pytest.raises(PermissionDenied) as caught:
        authorize(compiled, NS.SUBMIT_JOB, "default")
    assert str(caught.value) == "Permission denied"
    with pytest.raises(PermissionDenied):
        authorize(compiled, NS.READ_JOB, "other")
    with pytest.raises(PermissionDenied):
        authorize(compiled, Coarse.NODE_WRITE)
    with pytest.raises(PermissionDenied):
        authorize(compiled, Coarse.MANAGEMENT)


def test_authorize_with_alternatives_needs_any_one() -> None:
    compiled = acl('namespace "default" { capabilities = ["register-job"] }')
    authorize(compiled, (NS.SUBMIT_JOB, NS.REGISTER_JOB), "default")
    with pytest.raises(PermissionDenied):
        authorize(compiled, (NS.SUBMIT_JOB, NS.PURGE_JOB), "default")


def test_many_namespace_names_do_not_grow_the_memo_without_bound() -> None:
    compiled = acl('namespace "team-*" { policy = "read" }')
    for i in range(5000):
        compiled.allow_namespace_operation(f"probe-{i}", "read-job")
    assert compiled.allow_namespace_operation("team-x", "read-job")
    assert len(compiled._namespaces._memo) <= 1024


def test_port_forward_and_exec_imply_each_other_in_neither_direction() -> None:
    forward = acl('namespace "default" { capabilities = ["alloc-port-forward"] }')
    assert forward.allow_namespace_operation("default", "alloc-port-forward")
    assert not forward.allow_namespace_operation("default", "alloc-exec")
    execute = acl('namespace "default" { capabilities = ["alloc-exec", "alloc-node-exec"] }')
    assert not execute.allow_namespace_operation("default", "alloc-port-forward")
