"""A task's workload identity: its claims, the public keys that verify it, and what the
server lets it do (its own `nomad/jobs/...` Variables, nothing else). Security cases:
another job's variable, a forged, tampered, expired or foreign-audience token."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.integration.variables.conftest import VarCluster


@pytest.fixture(scope="module")
def seeded(var_cluster: VarCluster) -> VarCluster:
    for path in ("nomad/jobs", "nomad/jobs/web", "nomad/jobs/web/main",
                 "nomad/jobs/web/main/main", "nomad/jobs/other", "nomad/jobs/web2",
                 "shared/config"):
        reply = var_cluster.root.put(f"/v1/var/{path}", json={"Items": {"at": path}})
        assert reply.status_code == 200, reply.text
    return var_cluster


def test_the_token_carries_nomads_claims_and_verifies_with_the_jwks(seeded: VarCluster) -> None:
    token = seeded.token_of(seeded.web_alloc)
    keys = seeded.root.get("/.well-known/jwks.json").json()["keys"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256" and header["kid"] in {k["kid"] for k in keys}
    jwk = next(k for k in keys if k["kid"] == header["kid"])
    public = jwt.PyJWK.from_dict(jwk).key
    claims = jwt.decode(token, public, algorithms=["RS256"], audience="nomadproject.io")
    assert claims["nomad_namespace"] == "default" and claims["nomad_job_id"] == "web"
    assert claims["nomad_allocation_id"] == seeded.web_alloc and claims["nomad_task"] == "main"
    assert claims["sub"] == "global:default:web:main:main:default"
    discovery = seeded.root.get("/.well-known/openid-configuration").json()
    assert discovery["jwks_uri"].endswith("/.well-known/jwks.json")
    assert "RS256" in discovery["id_token_signing_alg_values_supported"]


def test_a_task_reads_its_own_variables_without_any_policy(seeded: VarCluster) -> None:
    with seeded.agent.http(seeded.token_of(seeded.web_alloc)) as task:
        for path in ("nomad/jobs", "nomad/jobs/web", "nomad/jobs/web/main",
                     "nomad/jobs/web/main/main"):
            reply = task.get(f"/v1/var/{path}")
            assert reply.status_code == 200, (path, reply.text)
            assert reply.json()["Items"] == {"at": path}
        listed = sorted(m["Path"] for m in task.get("/v1/vars").json())
        assert listed == ["nomad/jobs", "nomad/jobs/web", "nomad/jobs/web/main",
                          "nomad/jobs/web/main/main"]


def test_a_task_cannot_read_another_jobs_variable_or_write_its_own(seeded: VarCluster) -> None:
    with seeded.agent.http(seeded.token_of(seeded.web_alloc)) as task:
        for path in ("nomad/jobs/other", "nomad/jobs/web2", "shared/config"):
            assert task.get(f"/v1/var/{path}").status_code == 403, path
        assert task.put("/v1/var/nomad/jobs/web", json={"Items": {"x": "y"}}).status_code == 403
        assert task.delete("/v1/var/nomad/jobs/web").status_code == 403
        assert task.get("/v1/jobs").status_code == 403  # no namespace rights either
    with seeded.agent.http(seeded.token_of(seeded.other_alloc)) as other:
        assert other.get("/v1/var/nomad/jobs/web").status_code == 403
        assert other.get("/v1/var/nomad/jobs/other").status_code == 200


def _claims_of(token: str) -> dict[str, object]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def test_forged_tampered_and_expired_tokens_are_refused(seeded: VarCluster) -> None:
    real = seeded.token_of(seeded.web_alloc)
    kid = jwt.get_unverified_header(real)["kid"]
    claims = _claims_of(real)
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    now = int(time.time())
    forged = jwt.encode(claims, attacker, algorithm="RS256", headers={"kid": kid})
    header, _payload, signature = real.split(".")
    other_claims = _claims_of(seeded.token_of(seeded.other_alloc))
    swapped_payload = seeded.token_of(seeded.other_alloc).split(".")[1]
    tampered = ".".join((header, swapped_payload, signature))
    unsigned = jwt.encode({**claims, "nomad_job_id": "other"}, key="", algorithm="none")
    hmac = jwt.encode(claims, "s" * 40, algorithm="HS256", headers={"kid": kid})
    expired = jwt.encode({**claims, "exp": now - 10}, attacker, algorithm="RS256",
                         headers={"kid": kid})
    assert other_claims["nomad_job_id"] == "other"
    for name, token in (("forged", forged), ("tampered", tampered), ("alg none", unsigned),
                        ("hmac", hmac), ("expired", expired)):
        with seeded.agent.http(token) as http:
            reply = http.get("/v1/var/nomad/jobs/web")
            assert reply.status_code == 403, (name, reply.text)
            assert http.get("/v1/var/nomad/jobs/other").status_code == 403, name


def test_a_token_outlives_neither_its_ttl_nor_its_allocation(seeded: VarCluster) -> None:
    from tests.integration.variables.conftest import identity_job

    root = seeded.root
    body = identity_job("short", TTL=2_000_000_000)
    assert root.put("/v1/jobs", json=body).status_code == 200
    from tests.integration.acl.cluster import _running_alloc

    alloc = _running_alloc(root, "short", "default")
    token = seeded.token_of(alloc)
    claims = _claims_of(token)
    assert int(claims["exp"]) - int(claims["iat"]) == 2  # type: ignore[call-overload]
    assert root.put("/v1/var/nomad/jobs/short", json={"Items": {"a": "b"}}).status_code == 200
    with seeded.agent.http(token) as task:
        assert task.get("/v1/var/nomad/jobs/short").status_code == 200
        # jwt checks exp against the clock: wait for it, with a deadline.
        from tests.agents import wait_until

        wait_until(lambda: task.get("/v1/var/nomad/jobs/short").status_code == 403, 30,
                   what="the identity to expire")
    assert root.delete("/v1/job/short", params={"purge": "true"}).status_code == 200


def test_an_identity_is_no_management_token_cve_2023_1299(seeded: VarCluster) -> None:
    with seeded.agent.http(seeded.token_of(seeded.web_alloc)) as task:
        for path in ("/v1/acl/tokens", "/v1/nodes", "/v1/jobs",
                     f"/v1/allocation/{seeded.other_alloc}"):
            assert task.get(path).status_code == 403, path
        assert task.get("/v1/acl/policies").json() == []  # only the policies it holds
        assert task.put("/v1/var/anything", json={"Items": {"a": "b"}}).status_code == 403


def test_the_alloc_apis_never_hand_out_the_token_cve_2024_12678(seeded: VarCluster) -> None:
    token = seeded.token_of(seeded.web_alloc)
    root = seeded.root
    for path in (f"/v1/allocation/{seeded.web_alloc}", "/v1/allocations",
                 "/v1/job/web/allocations", "/v1/job/web"):
        reply = root.get(path)
        assert reply.status_code == 200 and token not in reply.text, path
    for path in ("main/secrets/nomad_token", "main/SECRETS/nomad_token"):
        read = root.get(f"/v1/client/fs/cat/{seeded.web_alloc}", params={"path": path})
        assert read.status_code != 200 and token not in read.text, path

