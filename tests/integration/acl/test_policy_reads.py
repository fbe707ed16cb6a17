"""Policy reads as the web UI uses them: a token reads the policies it holds (and the
anonymous one) with `RulesJSON`, the parsed rules Nomad's reads carry, and the policy
list gives the same per entry; other policies stay hidden."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.integration.acl.cluster import ACL_ON, AclAgent

READER = 'namespace "default" {\n  policy = "read"\n}\n'
SECRET_RULES = 'namespace "*" {\n  policy = "write"\n}\n'
ANONYMOUS = 'namespace "default" {\n  capabilities = ["list-jobs"]\n}\n'


@dataclass
class Setup:
    agent: AclAgent
    reader: str  # secret of a client token holding only `reader`


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    agent = AclAgent(root=tmp_path_factory.mktemp("acl-reads"), name="acl-reads",
                     config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            for name, rules in (("reader", READER), ("secret", SECRET_RULES),
                                ("anonymous", ANONYMOUS)):
                reply = root.put(f"/v1/acl/policy/{name}", json={"Name": name, "Rules": rules})
                assert reply.status_code == 200, reply.text
            made = root.put("/v1/acl/token", json={"Type": "client", "Policies": ["reader"]})
            assert made.status_code == 200, made.text
            yield Setup(agent, made.json()["SecretID"])
    finally:
        agent.stop()


def test_a_token_reads_its_own_policy_with_rules_json(setup: Setup) -> None:
    with setup.agent.http(setup.reader) as http:
        reply = http.get("/v1/acl/policy/reader")
    assert reply.status_code == 200, reply.text
    body = reply.json()
    assert body["Rules"] == READER
    (ns,) = body["RulesJSON"]["Namespaces"]
    assert ns["Name"] == "default" and ns["Policy"] == "read"
    assert {"list-jobs", "read-job"} <= set(ns["Capabilities"])
    assert "submit-job" not in ns["Capabilities"]


def test_a_token_cannot_read_a_policy_it_does_not_hold(setup: Setup) -> None:
    with setup.agent.http(setup.reader) as http:
        reply = http.get("/v1/acl/policy/secret")
    assert reply.status_code == 403, reply.text


def test_the_policy_list_holds_the_callers_policies_with_their_rules(setup: Setup) -> None:
    with setup.agent.http(setup.reader) as http:
        listed = http.get("/v1/acl/policies").json()
    assert [p["Name"] for p in listed] == ["reader"]
    assert listed[0]["RulesJSON"]["Namespaces"][0]["Name"] == "default"
    with setup.agent.http(setup.agent.root_secret) as root:
        every = {p["Name"]: p for p in root.get("/v1/acl/policies").json()}
    assert set(every) == {"reader", "secret", "anonymous"}
    assert every["secret"]["RulesJSON"]["Namespaces"][0]["Policy"] == "write"


def test_no_token_reads_the_anonymous_policy(setup: Setup) -> None:
    with setup.agent.http(None) as http:
        one = http.get("/v1/acl/policy/anonymous")
        listed = http.get("/v1/acl/policies")
    assert one.status_code == 200, one.text
    assert one.json()["RulesJSON"]["Namespaces"][0]["Capabilities"] == ["list-jobs"]
    assert [p["Name"] for p in listed.json()] == ["anonymous"]
