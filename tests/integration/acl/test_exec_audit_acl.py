"""ACLs on the exec session audit (issue 13 part 4): `read-exec-audit`, never implied.

One ACL-enabled -dev agent with recordings on; a session into `web` (default) and one
into `other` (team-b), each opened by a token that may exec and nothing more.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from caravan.ids import random_id
from tests.agents import wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent, Cluster, _register, _running_alloc
from tests.integration.acl.test_exec_acl import _exec

pytestmark = pytest.mark.integration

RECORD = "client {\n  exec_recording {\n    enabled = true\n  }\n}\n"
EXEC_ONLY = 'namespace "*" {\n  capabilities = ["alloc-exec", "alloc-node-exec"]\n}\n'
AUDIT_DEFAULT = 'namespace "default" {\n  capabilities = ["read-exec-audit"]\n}\n'
AUDIT_TEAM_B = 'namespace "team-b" {\n  capabilities = ["read-exec-audit"]\n}\n'


@dataclass
class Audited:
    cluster: Cluster
    exec_secret: str
    exec_accessor: str
    web_session: str
    other_session: str


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Audited]:
    agent = AclAgent(root=tmp_path_factory.mktemp("audit-acl"), name="auditacl",
                     config=ACL_ON + RECORD)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            assert root.put("/v1/namespace/team-b", json={"Name": "team-b"}).status_code == 200
            _register(root, "web")
            _register(root, "other", "team-b")
            node_id, _ = agent.node_secret()
            cluster = Cluster(agent, root, _running_alloc(root, "web", "default"),
                              _running_alloc(root, "other", "team-b"), node_id)
            secret = cluster.token(EXEC_ONLY)
            with agent.http(secret) as http:
                accessor = http.get("/v1/acl/token/self").json()["AccessorID"]
            assert _exec(cluster, secret, cluster.web_alloc, ["echo", "web-audit"])[:2] == \
                ("ok", 0)
            assert _exec(cluster, secret, cluster.other_alloc, ["echo", "other-audit"])[:2] \
                == ("ok", 0)
            yield Audited(cluster, secret, accessor, _session_id(cluster, "web-audit"),
                          _session_id(cluster, "other-audit"))
    finally:
        agent.stop()


def _session_id(cluster: Cluster, marker: str) -> str:
    def ended() -> str | None:
        for ns in ("default", "team-b"):
            for r in cluster.root.get("/v1/exec/sessions", params={"namespace": ns}).json():
                if marker in r["Command"] and r["EndTime"]:
                    return str(r["ID"])
        return None
    return str(wait_until(ended, 30, what=f"the record of {marker}"))


def _get(a: Audited, secret: str, path: str, **params: str) -> httpx.Response:
    with a.cluster.agent.http(secret) as http:
        return http.get(path, params=params)


def _recording_path(session_id: str) -> str:
    return f"/v1/exec/session/{session_id}/recording"


def test_alloc_exec_alone_cannot_read_the_audit(audited: Audited) -> None:
    for path in ("/v1/exec/sessions", _recording_path(audited.web_session),
                 f"/v1/client/exec/session/{audited.web_session}/recording"):
        reply = _get(audited, audited.exec_secret, path)
        assert (reply.status_code, reply.text) == (403, "Permission denied"), path


def test_anonymous_and_unknown_tokens_are_refused(audited: Audited) -> None:
    for path in ("/v1/exec/sessions", _recording_path(audited.web_session)):
        assert _get(audited, "", path).status_code == 403
        reply = _get(audited, random_id(), path)
        assert (reply.status_code, reply.text) == (403, "ACL token not found")


def test_the_write_shorthand_does_not_include_the_audit(audited: Audited) -> None:
    writer = audited.cluster.token('namespace "*" {\n  policy = "write"\n}\n')
    assert _get(audited, writer, "/v1/exec/sessions").status_code == 403
    assert _get(audited, writer, _recording_path(audited.web_session)).status_code == 403


def test_read_exec_audit_reads_records_and_recordings(audited: Audited) -> None:
    auditor = audited.cluster.token(AUDIT_DEFAULT)
    reply = _get(audited, auditor, "/v1/exec/sessions")
    assert reply.status_code == 200, reply.text
    record = next(r for r in reply.json() if r["ID"] == audited.web_session)
    assert (record["AccessorID"], record["TokenName"], record["Namespace"]) == (
        audited.exec_accessor, "", "default")
    assert audited.exec_secret not in json.dumps(reply.json())  # a secret is never recorded
    recording = _get(audited, auditor, _recording_path(audited.web_session))
    assert recording.status_code == 200 and b"web-audit" in recording.content
    by_token = _get(audited, auditor, "/v1/exec/sessions", token=audited.exec_accessor).json()
    assert audited.web_session in {r["ID"] for r in by_token}
    assert _get(audited, auditor, "/v1/exec/sessions", token=random_id()).json() == []


def test_the_audit_of_one_namespace_shows_nothing_of_another(audited: Audited) -> None:
    team_b = audited.cluster.token(AUDIT_TEAM_B)
    assert _get(audited, team_b, "/v1/exec/sessions").status_code == 403  # default
    every: list[dict[str, Any]] = _get(audited, team_b, "/v1/exec/sessions",
                                       namespace="*").json()
    assert {r["Namespace"] for r in every} == {"team-b"}
    assert audited.other_session in {r["ID"] for r in every}
    assert _get(audited, team_b, _recording_path(audited.web_session)).status_code == 403
    assert _get(audited, team_b, _recording_path(audited.other_session)).status_code == 200
    # An unknown session is a 403 too: whether an ID exists is not for them to learn.
    assert _get(audited, team_b, _recording_path(random_id())).status_code == 403
    root = audited.cluster.agent.root_secret
    assert _get(audited, root, _recording_path(random_id())).status_code == 404


def test_only_the_node_itself_writes_records_of_its_own_allocations(audited: Audited) -> None:
    node_id, node_secret = audited.cluster.agent.node_secret()
    forged = {"ID": random_id(), "AllocID": audited.cluster.web_alloc, "NodeID": node_id,
              "Command": ["forged"], "StartTime": 1, "EndTime": 2}
    path = f"/v1/node/{node_id}/exec-sessions"
    with audited.cluster.agent.http(audited.cluster.agent.root_secret) as http:
        assert http.post(path, json={"Sessions": [forged]}).status_code == 403
    with audited.cluster.agent.http(node_secret) as http:
        # A record naming another node, or an allocation of another node, is not stored.
        for wrong in ({"NodeID": random_id()}, {"AllocID": random_id()}):
            reply = http.post(path, json={"Sessions": [{**forged, **wrong}]})
            assert reply.status_code == 200, reply.text
        # An ended record is never turned back into an open one.
        ended = {**forged, "ID": audited.web_session, "EndTime": 0, "Command": ["rewritten"]}
        assert http.post(path, json={"Sessions": [ended]}).status_code == 200
    records = audited.cluster.root.get("/v1/exec/sessions").json()
    assert forged["ID"] not in {r["ID"] for r in records}
    web = next(r for r in records if r["ID"] == audited.web_session)
    assert web["Command"] == ["echo", "web-audit"] and web["EndTime"] > 0
