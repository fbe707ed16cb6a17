"""python-nomad's `acl` calls: policies, tokens, bootstrap (ACLs are on in the world)."""

from __future__ import annotations

from typing import Any

import pytest
from nomad.api import exceptions

from tests.integration.python_nomad.world import World

READ = 'namespace "default" { policy = "read" }'
WRITE = 'namespace "default" { policy = "write" }'


def _policy(w: World, name: str = "pn-policy") -> str:
    def make() -> str:
        w.api.acl.create_policy(name, {"Name": name, "Description": "d", "Rules": READ})
        return name
    return w.once(f"policy:{name}", make)  # type: ignore[no-any-return]


def _token(w: World, name: str) -> dict[str, Any]:
    return w.api.acl.create_token({"Name": name, "Type": "client",  # type: ignore[no-any-return]
                                   "Policies": [_policy(w)]})


def create_policy(w: World) -> None:
    reply = w.api.acl.create_policy("pn-made", {"Name": "pn-made", "Rules": READ})
    assert reply.ok
    assert w.api.acl.get_policy("pn-made")["Rules"] == READ


def get_policies(w: World) -> None:
    _policy(w)
    stubs = {p["Name"]: p for p in w.api.acl.get_policies()}
    assert {"Name", "Description", "CreateIndex", "ModifyIndex"} <= set(stubs["pn-policy"])
    assert "Rules" not in stubs["pn-policy"]


def get_policy(w: World) -> None:
    policy = w.api.acl.get_policy(_policy(w))
    assert policy["Name"] == "pn-policy" and policy["Rules"] == READ
    assert policy["Description"] == "d" and policy["ModifyIndex"] >= policy["CreateIndex"] > 0


def update_policy(w: World) -> None:
    name = _policy(w, "pn-updated")
    assert w.api.acl.update_policy(name, {"Name": name, "Description": "new", "Rules": WRITE}).ok
    policy = w.api.acl.get_policy(name)
    assert policy["Rules"] == WRITE and policy["Description"] == "new"


def delete_policy(w: World) -> None:
    name = _policy(w, "pn-doomed")
    assert w.api.acl.delete_policy(name) is True
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.acl.get_policy(name)


def create_token(w: World) -> None:
    token = _token(w, "pn-made")
    assert token["Name"] == "pn-made" and token["Type"] == "client"
    assert token["Policies"] == ["pn-policy"] and token["AccessorID"] and token["SecretID"]


def get_tokens(w: World) -> None:
    made = _token(w, "pn-listed")
    stubs = {t["AccessorID"]: t for t in w.api.acl.get_tokens()}
    stub = stubs[made["AccessorID"]]
    assert stub["Name"] == "pn-listed" and stub["Policies"] == ["pn-policy"]
    assert "SecretID" not in stub and {"Type", "Global", "CreateIndex"} <= set(stub)


def get_token(w: World) -> None:
    made = _token(w, "pn-read")
    token = w.api.acl.get_token(made["AccessorID"])
    assert token["AccessorID"] == made["AccessorID"] and token["Name"] == "pn-read"
    # Unlike Nomad, caravan keeps only a hash of each secret (server/acl_endpoint.py), so
    # a read shows the field empty; the secret is handed out once, at create.
    assert token["SecretID"] == ""


def get_self_token(w: World) -> None:
    token = w.api.acl.get_self_token()
    assert token["Type"] == "management" and token["SecretID"] == w.agent.root_secret


def update_token(w: World) -> None:
    made = _token(w, "pn-before")
    body = {"AccessorID": made["AccessorID"], "Name": "pn-after", "Type": "client",
            "Policies": made["Policies"]}
    updated = w.api.acl.update_token(made["AccessorID"], body)
    assert updated["Name"] == "pn-after" and updated["AccessorID"] == made["AccessorID"]
    assert w.api.acl.get_token(made["AccessorID"])["Name"] == "pn-after"


def delete_token(w: World) -> None:
    made = _token(w, "pn-gone")
    assert w.api.acl.delete_token(made["AccessorID"]) is True
    assert made["AccessorID"] not in [t["AccessorID"] for t in w.api.acl.get_tokens()]


def generate_bootstrap(w: World) -> None:
    # Bootstrapped already (the world's token): Nomad's coded 400 with the reset index.
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        w.api.acl.generate_bootstrap()
    assert info.value.nomad_resp.text.startswith("ACL bootstrap already done (reset index: ")


ROWS = [
    ("acl.create_policy", create_policy, None),
    ("acl.get_policies", get_policies, None),
    ("acl.get_policy", get_policy, None),
    ("acl.update_policy", update_policy, None),
    ("acl.delete_policy", delete_policy, None),
    ("acl.create_token", create_token, None),
    ("acl.get_tokens", get_tokens, None),
    ("acl.get_token", get_token, None),
    ("acl.get_self_token", get_self_token, None),
    ("acl.update_token", update_token, None),
    ("acl.delete_token", delete_token, None),
    ("acl.generate_bootstrap", generate_bootstrap, None),
]
