"""/v1/vars and /v1/var/<path> against a real agent: Nomad's shapes, check-and-set,
`variables` ACL rules, and encryption at rest."""

from __future__ import annotations

import sqlite3

from tests.integration.variables.conftest import VarCluster


def test_put_get_list_delete_in_nomads_shapes(var_cluster: VarCluster) -> None:
    root = var_cluster.root
    put = root.put("/v1/var/app/db", json={"Items": {"user": "admin", "pass": "s3cret"}})
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["Namespace"] == "default" and body["Path"] == "app/db"
    assert body["Items"] == {"user": "admin", "pass": "s3cret"}
    assert body["ModifyIndex"] == body["CreateIndex"] == int(put.headers["X-Nomad-Index"])
    assert body["CreateTime"] > 0

    got = root.get("/v1/var/app/db")
    assert got.status_code == 200 and got.json() == body

    listed = root.get("/v1/vars", params={"prefix": "app/"})
    assert listed.status_code == 200
    [meta] = [m for m in listed.json() if m["Path"] == "app/db"]
    assert "Items" not in meta and meta["ModifyIndex"] == body["ModifyIndex"]
    assert root.get("/v1/vars", params={"prefix": "zzz"}).json() == []

    deleted = root.delete("/v1/var/app/db")
    assert deleted.status_code == 204
    missing = root.get("/v1/var/app/db")
    assert missing.status_code == 404 and "variable not found" in missing.text


def test_check_and_set_conflicts_answer_409_with_the_current_variable(
        var_cluster: VarCluster) -> None:
    root = var_cluster.root
    first = root.put("/v1/var/cas/x", params={"cas": 0}, json={"Items": {"v": "1"}})
    assert first.status_code == 200, first.text
    index = first.json()["ModifyIndex"]

    again = root.put("/v1/var/cas/x", params={"cas": 0}, json={"Items": {"v": "2"}})
    assert again.status_code == 409
    assert again.json()["Items"] == {"v": "1"} and again.json()["ModifyIndex"] == index

    stale = root.put("/v1/var/cas/x", params={"cas": index - 1}, json={"Items": {"v": "3"}})
    assert stale.status_code == 409

    ok = root.put("/v1/var/cas/x", params={"cas": index}, json={"Items": {"v": "4"}})
    assert ok.status_code == 200 and ok.json()["Items"] == {"v": "4"}

    gone = root.put("/v1/var/cas/none", params={"cas": 7}, json={"Items": {"v": "1"}})
    assert gone.status_code == 409 and gone.json()["ModifyIndex"] == 0

    refused = root.delete("/v1/var/cas/x", params={"cas": index})
    assert refused.status_code == 409
    assert root.get("/v1/var/cas/x").json()["Items"] == {"v": "4"}  # nothing lost
    assert root.delete("/v1/var/cas/x",
                       params={"cas": ok.json()["ModifyIndex"]}).status_code == 204


def test_bad_input_is_a_400_naming_the_problem(var_cluster: VarCluster) -> None:
    root = var_cluster.root
    assert "Items" in root.put("/v1/var/a", json={}).text
    bad_path = root.put("/v1/var/a.b", json={"Items": {"k": "v"}})
    assert bad_path.status_code == 400 and 'invalid path "a.b"' in bad_path.text
    reserved = root.put("/v1/var/nomad/other", json={"Items": {"k": "v"}})
    assert reserved.status_code == 400 and "nomad/jobs" in reserved.text
    big = root.put("/v1/var/big", json={"Items": {"k": "x" * 70_000}})
    assert big.status_code == 400 and "64KiB" in big.text
    cas = root.put("/v1/var/a", params={"cas": "x"}, json={"Items": {"k": "v"}})
    assert cas.status_code == 400 and "cas" in cas.text


def test_variables_acl_rules_grant_per_path(var_cluster: VarCluster) -> None:
    root = var_cluster.root
    for path in ("team/app", "team/deep/x", "private/key"):
        assert root.put(f"/v1/var/{path}", json={"Items": {"k": path}}).status_code == 200
    secret = var_cluster.policy_token("team-read", '''
namespace "default" {
  variables {
    path "team/*" { capabilities = ["read"] }
    path "team/deep/*" { capabilities = ["deny"] }
  }
}''')
    with var_cluster.agent.http(secret) as http:
        assert http.get("/v1/var/team/app").json()["Items"] == {"k": "team/app"}
        assert http.get("/v1/var/team/deep/x").status_code == 403
        assert http.get("/v1/var/private/key").status_code == 403
        assert http.put("/v1/var/team/app", json={"Items": {"k": "x"}}).status_code == 403
        assert http.delete("/v1/var/team/app").status_code == 403
        paths = [m["Path"] for m in http.get("/v1/vars").json()]
        assert paths == ["team/app"]
    with var_cluster.agent.http(None) as anonymous:
        assert anonymous.get("/v1/var/team/app").status_code == 403
        assert anonymous.get("/v1/vars").json() == []


def test_values_are_encrypted_at_rest(var_cluster: VarCluster) -> None:
    marker = "plaintext-marker-7d1f"
    assert var_cluster.root.put("/v1/var/rest/check",
                                json={"Items": {"token": marker}}).status_code == 200
    db = var_cluster.agent.data_dir / "server" / "state.db"
    found = b""
    for path in (db, db.with_name("state.db-wal")):
        if path.exists():
            found += path.read_bytes()
    assert b"rest/check" in found  # the row is there...
    assert marker.encode() not in found  # ...but not its value
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT value FROM rows WHERE value LIKE '%rest/check%'").fetchall()
    assert rows and all(marker not in str(r) for r in rows)


def test_rotation_keeps_variables_and_identities_readable(var_cluster: VarCluster) -> None:
    root = var_cluster.root
    before = root.get("/v1/operator/keyring/keys").json()
    assert [k["State"] for k in before] == ["active"] and "Key" not in before[0]
    assert root.put("/v1/var/rot/old", json={"Items": {"v": "old"}}).status_code == 200
    token = var_cluster.token_of(var_cluster.web_alloc)
    rotated = root.put("/v1/operator/keyring/rotate")
    assert rotated.status_code == 200
    new_id = rotated.json()["Key"]["KeyID"]
    assert new_id != before[0]["KeyID"]
    states = {k["KeyID"]: k["State"] for k in root.get("/v1/operator/keyring/keys").json()}
    assert states == {before[0]["KeyID"]: "inactive", new_id: "active"}
    assert root.put("/v1/var/rot/new", json={"Items": {"v": "new"}}).status_code == 200
    assert root.get("/v1/var/rot/old").json()["Items"] == {"v": "old"}
    assert root.get("/v1/var/rot/new").json()["Items"] == {"v": "new"}
    with var_cluster.agent.http(token) as task:  # signed by the now inactive key
        assert task.get("/v1/var/nomad/jobs/web").status_code in (200, 404)
        assert task.get("/v1/var/nomad/jobs/other").status_code == 403
    with var_cluster.agent.http(None) as anonymous:
        assert anonymous.put("/v1/operator/keyring/rotate").status_code == 403
