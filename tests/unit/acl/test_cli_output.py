"""The ACL and namespace commands' pure parts: Nomad's layouts and the repeatable -policy."""

from __future__ import annotations

import pytest

from caravan.cli.flags import FlagSet
from caravan.cli.acl_format import go_time, policies_table, policy_text, token_text, tokens_table
from caravan.cli.namespace_format import namespace_text, namespaces_table
from caravan.errors import UsageError
from caravan.structs.acl import (
    ACLPolicy,
    ACLPolicyListStub,
    ACLToken,
    Namespace,
    NamespaceCapabilities,
)

S = 1_000_000_000


def test_go_time_is_time_String_in_utc() -> None:
    assert go_time("2024-05-01T10:00:00.123456789Z") == "2024-05-01 10:00:00.123456789 +0000 UTC"
    assert go_time("2024-05-01T12:00:00+02:00") == "2024-05-01 10:00:00 +0000 UTC"
    assert go_time(None) == "<none>"
    assert go_time("0001-01-01T00:00:00Z") == "<none>"


def test_management_token_layout() -> None:
    token = ACLToken(accessor_id="a" * 36, secret_id="s" * 36, name="Bootstrap Token",
                     type="management", global_=True, create_time="2024-05-01T10:00:00.5Z",
                     create_index=7, modify_index=7)
    assert token_text(token).splitlines() == [
        f"Accessor ID  = {'a' * 36}",
        f"Secret ID    = {'s' * 36}",
        "Name         = Bootstrap Token",
        "Type         = management",
        "Global       = true",
        "Create Time  = 2024-05-01 10:00:00.5 +0000 UTC",
        "Expiry Time  = <none>",
        "Create Index = 7",
        "Modify Index = 7",
        "Policies     = n/a",
        "Roles        = n/a",
    ]


def test_client_token_layout_lists_policies_and_roles() -> None:
    token = ACLToken(accessor_id="acc", name="alice", type="client", policies=["ops", "dev"],
                     create_time="2024-05-01T10:00:00Z",
                     expiration_time="2024-05-01T11:00:00Z", create_index=9, modify_index=9)
    lines = token_text(token).splitlines()
    assert "Secret ID    = <none>" in lines  # never shown after creation
    assert "Expiry Time  = 2024-05-01 11:00:00 +0000 UTC" in lines
    assert lines[-4:] == ["Policies     = [ops dev]", "", "Roles", "<none>"]


def test_tokens_table_marks_expired_tokens() -> None:
    live = ACLToken(accessor_id="a1", name="live", policies=["p"]).stub()
    old = ACLToken(accessor_id="a2", name="old", type="client", policies=["p"],
                   expiration_time="2000-01-01T00:00:00Z").stub()
    assert tokens_table([live, old], 1_700_000_000 * S).splitlines() == [
        "Name  Type    Global  Accessor ID  Expired",
        "live  client  false   a1           false",
        "old   client  false   a2           true",
    ]
    assert tokens_table([], 0) == "No tokens found"


def test_policy_layouts() -> None:
    policy = ACLPolicy(name="ops", description="ops team", rules='node { policy = "read" }',
                       create_index=3, modify_index=4)
    assert policy_text(policy) == ("Name        = ops\nDescription = ops team\n"
                                   "CreateIndex = 3\nModifyIndex = 4\n\nRules\n\n"
                                   'node { policy = "read" }')
    assert policies_table([ACLPolicyListStub(name="ops", description="ops team")]) == (
        "Name  Description\nops   ops team")
    assert policies_table([]) == "No policies found"


def test_namespace_layouts() -> None:
    assert namespaces_table([Namespace(name="b"), Namespace(name="a", description="A")]) == (
        "Name  Description\na     A\nb     <none>")
    ns = Namespace(name="a", capabilities=NamespaceCapabilities(
        enabled_task_drivers=["exec", "raw_exec"]))
    assert namespace_text(ns).splitlines() == [
        "Name                   = a",
        "Description            = <none>",
        "Quota                  = <none>",
        "Enabled Drivers        = exec,raw_exec",
        "Disabled Drivers       = <none>",
        "Enabled Network Modes  = *",
        "Disabled Network Modes = <none>",
    ]
    with_meta = ns.model_copy(update={"meta": {"team": "a", "cost": "7"}})
    assert namespace_text(with_meta).splitlines()[-3:] == ["Metadata", "cost = 7", "team = a"]


@pytest.mark.parametrize("args, policies, rest", [
    (["-policy", "a", "-policy=b", "-name", "x"], ["a", "b"], []),
    (["-global", "-policy", "a", "acc"], ["a"], ["acc"]),
    (["-name", "-policy", "-policy", "b"], ["b"], []),  # "-policy" as -name's value
    (["acc", "-policy", "a"], [], ["acc", "-policy", "a"]),  # after a positional: untouched
    (["--policy", "a", "--", "-policy"], ["a"], ["-policy"]),
])
def test_repeatable_policy_flag(args: list[str], policies: list[str], rest: list[str]) -> None:
    fs = FlagSet()
    fs.list_flag("policy")
    fs.string_flag("name")
    fs.bool_flag("global")
    flags = fs.parse(args)
    assert (flags.get_list("policy"), flags.args) == (policies, rest)


def test_repeatable_flag_needs_a_value() -> None:
    fs = FlagSet()
    fs.list_flag("policy")
    with pytest.raises(UsageError, match="flag needs an argument: -policy"):
        fs.parse(["-policy"])
