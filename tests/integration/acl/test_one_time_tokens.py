"""`/v1/acl/token/onetime` and `/onetime/exchange` over HTTP, in Nomad's shapes: a token
gets a one-time secret; anyone holding that secret gets the token (SecretID included)
once; the anonymous caller gets none; a malformed body is a 400."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from caravan.acl.identity import is_uuid
from tests.integration.acl.cluster import ACL_ON, AclAgent

READER = 'namespace "default" {\n  policy = "read"\n}\n'


@dataclass
class Setup:
    agent: AclAgent
    reader: str


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    agent = AclAgent(root=tmp_path_factory.mktemp("acl-ott"), name="acl-ott", config=ACL_ON)
    try:
        agent.start(timeout_s=60)
        with agent.http(agent.root_secret) as root:
            assert root.put("/v1/acl/policy/reader",
                            json={"Name": "reader", "Rules": READER}).status_code == 200
            made = root.put("/v1/acl/token", json={"Name": "reader", "Type": "client",
                                                   "Policies": ["reader"]})
            assert made.status_code == 200, made.text
            yield Setup(agent, made.json()["SecretID"])
    finally:
        agent.stop()


def test_a_one_time_secret_is_exchanged_once(setup: Setup) -> None:
    with setup.agent.http(setup.reader) as http:
        made = http.put("/v1/acl/token/onetime")
    assert made.status_code == 200, made.text
    ott = made.json()["OneTimeToken"]
    assert set(ott) == {"OneTimeSecretID", "AccessorID", "ExpiresAt", "CreateIndex",
                        "ModifyIndex"}
    assert is_uuid(ott["OneTimeSecretID"]) and ott["ExpiresAt"].endswith("Z")
    assert made.headers["X-Nomad-Index"] == str(ott["CreateIndex"])
    with setup.agent.http(None) as anyone:  # the one-time secret is the credential
        first = anyone.post("/v1/acl/token/onetime/exchange",
                            json={"OneTimeSecretID": ott["OneTimeSecretID"]})
        again = anyone.post("/v1/acl/token/onetime/exchange",
                            json={"OneTimeSecretID": ott["OneTimeSecretID"]})
    assert first.status_code == 200, first.text
    token = first.json()["Token"]
    assert token["SecretID"] == setup.reader and token["AccessorID"] == ott["AccessorID"]
    assert token["Policies"] == ["reader"]
    assert again.status_code == 403 and "Permission denied" in again.text


def test_the_anonymous_caller_gets_no_one_time_secret(setup: Setup) -> None:
    with setup.agent.http(None) as anyone:
        reply = anyone.put("/v1/acl/token/onetime")
    assert reply.status_code == 403, reply.text


def test_an_unknown_one_time_secret_is_refused(setup: Setup) -> None:
    with setup.agent.http(None) as anyone:
        unknown = anyone.put("/v1/acl/token/onetime/exchange",
                             json={"OneTimeSecretID": setup.reader})  # a token, not an OTT
        broken = anyone.put("/v1/acl/token/onetime/exchange", content=b"{not json")
    assert unknown.status_code == 403
    assert broken.status_code == 400
