"""Policy grammar: what parses, what each error says, and the line it points at."""

from __future__ import annotations

import pytest

from caravan.acl import parse_policy
from caravan.errors import InvalidInput

FULL = '''
namespace "default" {
  policy       = "read"
  capabilities = ["alloc-node-exec"]
}

namespace "team-*" {
  policy = "write"
}

node {
  policy = "read"
}

agent {
  policy = "write"
}

operator {
  policy       = "read"
  capabilities = ["snapshot-save"]
}

host_volume "ssd-*" {
  policy = "read"
}

node_pool "gpu" {
  capabilities = ["read"]
}

quota {
  policy = "read"
}

plugin {
  policy = "list"
}
'''


def _problems(rules: str) -> list[tuple[int | None, str]]:
    with pytest.raises(InvalidInput) as caught:
        parse_policy(rules)
    return [(e.line, e.message) for e in caught.value.errors]


def test_every_block_kind_parses_into_rules() -> None:
    policy = parse_policy(FULL)
    by_name = {r.name: r for r in policy.namespaces}
    assert set(by_name) == {"default", "team-*"}
    assert {"list-jobs", "read-job", "alloc-node-exec"} <= by_name["default"].capabilities
    assert "submit-job" not in by_name["default"].capabilities
    assert "alloc-exec" in by_name["team-*"].capabilities
    assert (policy.node, policy.agent, policy.quota, policy.plugin) == ("read", "write",
                                                                        "read", "list")
    assert policy.operator is not None
    assert policy.operator.capabilities == {"snapshot-save", "license-read", "keyring-read"}
    assert policy.host_volumes[0].name == "ssd-*"
    assert policy.host_volumes[0].capabilities == {"mount-readonly"}
    assert policy.node_pools[0].capabilities == {"read"}


def test_json_policies_parse_like_hcl() -> None:
    policy = parse_policy('{"namespace": {"default": {"policy": "write"}},'
                          ' "node": {"policy": "read"}}')
    assert policy.namespaces[0].name == "default"
    assert "alloc-exec" in policy.namespaces[0].capabilities
    assert policy.node == "read"


def test_the_same_namespace_twice_in_one_policy_is_allowed() -> None:
    policy = parse_policy('namespace "a" { policy = "read" }\n'
                          'namespace "a" { capabilities = ["alloc-exec"] }')
    assert [r.name for r in policy.namespaces] == ["a", "a"]


def test_empty_rules_grant_nothing_but_a_policy_of_only_comments_is_invalid() -> None:
    assert parse_policy("").is_empty()
    assert _problems("# nothing here\n") == [(None, "Invalid policy: # nothing here\n")]


@pytest.mark.parametrize("rules, line, message", [
    ('namespace "default" {\n  policy = "admin"\n}',
     2, 'Invalid namespace policy: "admin" is not one of deny, read, write, scale'),
    ('namespace "default" {\n  policy = "read"\n  capabilities = ["alloc-exe"]\n}',
     3, "Invalid namespace capability 'alloc-exe': did you mean 'alloc-exec'?"),
    ('namespace "default" {\n  capabilities = ["launch-rockets"]\n}',
     2, "Invalid namespace capability 'launch-rockets': not a known capability"),
    ('\n\nnamespace "team a" {\n  policy = "read"\n}',
     3, 'Invalid namespace name: "team a" does not match ^[a-zA-Z0-9-*]{1,128}$'),
    ('namespace {\n  policy = "read"\n}',
     1, 'Invalid namespace name: "" does not match ^[a-zA-Z0-9-*]{1,128}$'),
    ('namespace "default" {\n  policy = "read"\n  polcy = "write"\n}',
     3, "Invalid or duplicate policy keys: polcy"),
    ('node { policy = "read" }\nbogus = 1\n', 2, "Invalid or duplicate policy keys: bogus"),
    ('node { policy = "read" }\nnode { policy = "write" }\n',
     2, "Invalid or duplicate policy keys: node"),
    ('namespace "a" "b" { policy = "read" }', 1, "Invalid or duplicate policy keys: b"),
    ('agent {\n  policy = "root"\n}',
     2, 'Invalid agent policy: "root" is not one of deny, read, write, scale'),
    ('node {\n}', 1, 'Invalid node policy: "" is not one of deny, read, write, scale'),
    ('quota {\n  policy = "list"\n}',
     2, 'Invalid quota policy: "list" is not one of deny, read, write, scale'),
    ('plugin {\n  policy = "scale"\n}',
     2, 'Invalid plugin policy: "scale" is not one of deny, read, list, write'),
    ('operator {\n  policy = "read"\n  capabilities = ["reboot"]\n}',
     3, "Invalid operator capability 'reboot': not a known capability"),
    ('operator {\n  policy = "all"\n}',
     2, 'Invalid operator policy: "all" is not one of deny, read, write, scale'),
    ('host_volume "v" {\n  capabilities = ["mount-rw"]\n}',
     2, "Invalid host volume capability 'mount-rw': did you mean 'mount-readwrite'?"),
    ('host_volume "v" {\n  policy = "list"\n}',
     2, 'Invalid host volume policy: "list" is not one of deny, read, write, scale'),
    ('host_volume "a b" {\n  policy = "read"\n}',
     1, 'Invalid host volume name: "a b" does not match ^[a-zA-Z0-9-*]{1,128}$'),
    ('node_pool "a.b" {\n  policy = "read"\n}', 1, "Invalid node pool name 'a.b'"),
    ('node_pool "gpu" {\n  policy = "admin"\n}', 2, "Invalid node pool policy 'admin' for 'gpu'"),
    ('node_pool "gpu" {\n  capabilities = ["use"]\n}',
     2, "Invalid node pool capability 'use' for 'gpu'"),
    ('namespace "v" {\n  variables {\n  }\n}',
     2, "Invalid variable policy: no variable paths in namespace v"),
    ('namespace "v" {\n  variables {\n    path "/x" { capabilities = ["read"] }\n  }\n}',
     3, "Invalid variable path \"/x\" in namespace v: cannot start with a leading '/'"),
    ('namespace "v" {\n  variables {\n    path "x" {\n      capabilities = ["zap"]\n'
     '    }\n  }\n}', 4, "Invalid variable capability 'zap' in namespace v"),
])
def test_each_error_text_with_its_line(rules: str, line: int, message: str) -> None:
    assert (line, message) in _problems(rules)


def test_every_problem_is_reported_at_once_in_line_order() -> None:
    rules = ('namespace "default" {\n  policy = "admin"\n}\n'
             'agent {\n  policy = "root"\n}\n'
             'bogus = true\n')
    lines = [line for line, _ in _problems(rules)]
    assert lines == [2, 5, 7]


def test_the_error_text_names_line_and_field() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_policy('namespace "default" {\n  policy = "admin"\n}')
    assert str(caught.value) == ('line 2: namespace "default".policy: Invalid namespace '
                                 'policy: "admin" is not one of deny, read, write, scale')


def test_syntax_errors_have_a_line() -> None:
    problems = _problems('namespace "default" {\n  policy = "read"\n')
    assert len(problems) == 1
    line, message = problems[0]
    assert line == 2 and message.startswith("syntax error")


def test_malformed_json_policy_is_reported() -> None:
    problems = _problems('{"namespace": ')
    assert problems[0][1].startswith("Failed to parse ACL Policy:")


def test_lenient_parsing_ignores_unknown_keys_but_keeps_checking_values() -> None:
    policy = parse_policy('namespace "a" {\n  policy = "read"\n  future = 1\n}\nlater = 2\n',
                          strict=False)
    assert "read-job" in policy.namespaces[0].capabilities
    with pytest.raises(InvalidInput):
        parse_policy('namespace "a" { policy = "admin" }', strict=False)
