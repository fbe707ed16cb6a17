"""The event stream and search under ACLs (Nomad's rules): what each token may open or
search, what it sees, that secrets never travel in events, and that a revoked token's
stream ends."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pytest

from tests.integration.acl.cluster import ACL_ON, AclAgent
from tests.integration.watch.stream import Event, EventStream

pytestmark = pytest.mark.integration

READ_DEFAULT = 'namespace "default" {\n  policy = "read"\n}\n'
APP_VARS = ('namespace "default" {\n  variables {\n'
            '    path "app/*" { capabilities = ["list", "read"] }\n  }\n}\n')


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    agent = AclAgent(root=tmp_path_factory.mktemp("events-acl"), name="events", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        yield agent
    finally:
        agent.stop()


@pytest.fixture(scope="module")
def root(agent: AclAgent) -> Iterator[httpx.Client]:
    with agent.http(agent.root_secret) as client:
        yield client


def _token(root: httpx.Client, name: str, rules: str) -> tuple[str, str]:
    """(secret, accessor) of a new client token whose one policy is `rules`."""
    assert root.put(f"/v1/acl/policy/{name}",
                    json={"Name": name, "Rules": rules}).status_code == 200
    reply = root.put("/v1/acl/token", json={"Type": "client", "Policies": [name]})
    assert reply.status_code == 200, reply.text
    return reply.json()["SecretID"], reply.json()["AccessorID"]


def _status(agent: AclAgent, token: str, params: dict[str, str]) -> int:
    stream = EventStream(agent.address, list(params.items()), token)
    stream.close()
    return stream.status


def test_who_may_open_which_topics(agent: AclAgent, root: httpx.Client) -> None:
    reader, _ = _token(root, "events-read", READ_DEFAULT)
    assert root.put("/v1/namespace/team-b", json={"Name": "team-b"}).status_code == 200
    assert _status(agent, "", {"topic": "Job"}) == 403  # anonymous holds no policy
    assert _status(agent, reader, {"topic": "Job"}) == 200
    assert _status(agent, reader, {"topic": "Allocation:web"}) == 200
    assert _status(agent, reader, {"topic": "Job", "namespace": "team-b"}) == 403
    # "*" means every namespace: a token limited to one may not ask for all.
    assert _status(agent, reader, {"topic": "Job", "namespace": "*"}) == 403
    assert _status(agent, reader, {"topic": "Node"}) == 403  # no node policy
    assert _status(agent, reader, {"topic": "ACLToken"}) == 403  # management only
    assert _status(agent, reader, {}) == 403  # every topic: management only
    assert _status(agent, agent.root_secret, {}) == 200


def test_token_events_carry_no_secret(agent: AclAgent, root: httpx.Client) -> None:
    stream = EventStream(agent.address, [("topic", "ACLToken")], agent.root_secret)
    assert stream.status == 200
    try:
        secret, accessor = _token(root, "events-tokens", READ_DEFAULT)
        events = stream.events_until(lambda found: any(e["Key"] == accessor for e in found))
    finally:
        stream.close()
    upsert = next(e for e in events if e["Key"] == accessor)
    assert upsert["Type"] == "ACLTokenUpserted"
    text = repr(upsert)
    assert secret not in text
    assert hashlib.sha256(secret.encode()).hexdigest() not in text
    assert "SecretHash" not in upsert["Payload"]["ACLToken"]
    assert upsert["Payload"]["ACLToken"]["SecretID"] == ""


def test_a_revoked_tokens_stream_ends(agent: AclAgent, root: httpx.Client) -> None:
    reader, accessor = _token(root, "events-revoked", READ_DEFAULT)
    stream = EventStream(agent.address, [("topic", "Job")], reader)
    assert stream.status == 200
    try:
        stream.events_until(lambda _found: stream.heartbeats >= 1, timeout_s=30)
        assert root.delete(f"/v1/acl/token/{accessor}").status_code == 200
        assert stream.wait_ended(60), "the stream outlived its token"
    finally:
        stream.close()


def _paths(events: list[Event]) -> set[str]:
    return {e["Key"] for e in events if e["Topic"] == "Variable"}


def test_variable_events_follow_path_rules(agent: AclAgent, root: httpx.Client) -> None:
    reader, _ = _token(root, "events-vars", APP_VARS)
    stream = EventStream(agent.address, [("topic", "Variable")], reader)
    assert stream.status == 200
    try:
        assert root.put("/v1/var/private/key", json={"Items": {"k": "hidden"}}).status_code == 200
        assert root.put("/v1/var/app/x", json={"Items": {"k": "v"}}).status_code == 200
        events = stream.events_until(lambda found: "app/x" in _paths(found))
    finally:
        stream.close()
    assert _paths(events) == {"app/x"}
    meta = events[-1]["Payload"]["Metadata"]
    assert meta["Path"] == "app/x" and "Data" not in meta and "Items" not in meta
    assert events[-1]["Payload"]["Deleted"] is False


def test_search_and_statuses_show_only_what_the_token_may_read(agent: AclAgent, root: httpx.Client) -> None:
    assert root.put("/v1/namespace/hidden-ns", json={"Name": "hidden-ns"}).status_code == 200
    for ns in ("default", "hidden-ns"):
        job = {"Job": {"ID": f"find-{ns}", "Namespace": ns, "Type": "batch",
                       "Datacenters": ["dc1"], "TaskGroups": [{"Name": "g", "Tasks": [{
                           "Name": "t", "Driver": "raw_exec",
                           "Config": {"command": "/bin/true"}}]}]}}
        assert root.post("/v1/jobs", json=job, params={"namespace": ns}).status_code == 200
    reader, _ = _token(root, "search-read", READ_DEFAULT)
    with agent.http(reader) as http:
        assert http.put("/v1/search", json={"Prefix": "", "Context": "nodes"}).status_code == 403
        assert http.put("/v1/search", json={"Prefix": "find-", "Context": "jobs"},
                        params={"namespace": "hidden-ns"}).status_code == 403
        every = http.put("/v1/search", json={"Prefix": "find-", "Context": "all"}).json()
        assert every["Matches"]["jobs"] == ["find-default"]
        assert "nodes" not in every["Matches"]  # a context it may not search is left out
        wide = http.put("/v1/search/fuzzy", json={"Text": "find-", "Context": "jobs"},
                        params={"namespace": "*"}).json()
        assert [m["ID"] for m in wide["Matches"]["jobs"]] == ["find-default"]
        prefix_wide = http.put("/v1/search", json={"Prefix": "find-", "Context": "jobs"},
                               params={"namespace": "*"}).json()
        assert prefix_wide["Matches"]["jobs"] == ["find-default"]
        statuses = http.get("/v1/jobs/statuses", params={"namespace": "*"})
        assert statuses.status_code == 200, statuses.text
        assert {j["ID"] for j in statuses.json()} == {"find-default"}
        assert http.post("/v1/jobs/statuses", json={"Jobs": [
            {"ID": "find-hidden-ns", "Namespace": "hidden-ns"}]}).status_code == 403
    with agent.http(None) as anonymous:
        assert anonymous.put("/v1/search", json={"Prefix": "find-",
                                                 "Context": "jobs"}).status_code == 403
        assert anonymous.get("/v1/jobs/statuses").status_code == 403
    for ns in ("default", "hidden-ns"):
        root.delete(f"/v1/job/find-{ns}", params={"purge": "true", "namespace": ns})


def test_agent_endpoints_under_acls(agent: AclAgent, root: httpx.Client) -> None:
    reader, _ = _token(root, "agent-reader", READ_DEFAULT)
    with agent.http(reader) as http:
        # The agent's logs and its servers need agent:read, changing them agent:write.
        assert http.get("/v1/agent/monitor").status_code == 403
        assert http.get("/v1/agent/servers").status_code == 403
        assert http.post("/v1/agent/servers",
                         params={"address": "203.0.113.9:4646"}).status_code == 403
        assert http.post("/v1/agent/join", params={"address": "x"}).status_code == 403
    with agent.http(None) as anonymous:
        assert anonymous.get("/v1/agent/monitor").status_code == 403
        # Health and metrics answer without a token, as Nomad's do.
        assert anonymous.get("/v1/agent/health").status_code == 200
        assert anonymous.get("/v1/metrics").status_code == 200
