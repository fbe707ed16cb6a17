"""`RulesJSON`: a stored policy's rules in the shape of Nomad's parsed `acl.Policy`, with
the `policy` shorthands expanded into the capabilities the server enforces."""

from __future__ import annotations

from caravan.acl.rules_json import rules_json

RULES = '''
namespace "default" {
  policy = "read"
  capabilities = ["alloc-exec"]
}
namespace "team-*" {
  capabilities = ["scale-job", "host-volume-create"]
  variables {
    path "app/*" { capabilities = ["read"] }
  }
}
node { policy = "read" }
operator { policy = "write" }
'''


def test_namespace_rules_carry_expanded_capabilities() -> None:
    parsed = rules_json(RULES)
    default, team = parsed["Namespaces"]
    assert default["Name"] == "default" and default["Policy"] == "read"
    # "read" expands to read-job and list-jobs (and no more); the list adds alloc-exec.
    assert {"read-job", "list-jobs", "alloc-exec"} <= set(default["Capabilities"])
    assert "submit-job" not in default["Capabilities"]
    assert default["Capabilities"] == sorted(default["Capabilities"])
    assert default["Variables"] is None
    assert team["Name"] == "team-*" and team["Policy"] == ""
    # host-volume-create implies host-volume-read, as in Nomad's expansion.
    assert {"scale-job", "host-volume-create", "host-volume-read"} == set(team["Capabilities"])
    assert team["Variables"]["Paths"][0]["PathSpec"] == "app/*"
    assert "read" in team["Variables"]["Paths"][0]["Capabilities"]


def test_blocks_absent_are_null_and_present_ones_keep_their_level() -> None:
    parsed = rules_json(RULES)
    assert parsed["Node"] == {"Policy": "read"}
    assert parsed["Operator"]["Policy"] == "write"
    assert parsed["Agent"] is None and parsed["Quota"] is None and parsed["Plugin"] is None
    assert parsed["HostVolumes"] is None and parsed["NodePools"] is None
    assert parsed["Raw"] == RULES
    assert set(parsed) == {"Namespaces", "NodePools", "HostVolumes", "Agent", "Node",
                           "Operator", "Sentinel", "Quota", "Plugin", "Raw", "ExtraKeysHCL"}


def test_empty_rules_grant_nothing() -> None:
    parsed = rules_json("")
    assert parsed["Namespaces"] is None and parsed["Raw"] == ""
