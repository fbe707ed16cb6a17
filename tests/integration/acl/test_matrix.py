"""ACLs end to end against a real agent with `acl { enabled = true }`.

A capability matrix over every HTTP route (the exec WebSocket has test_exec_acl.py):
a token holding exactly the capability a route needs succeeds, and a token holding
every other capability gets 403. Then namespace isolation, bootstrap once (and the
reset file), expired tokens, node secrets, the CLI and python-nomad's ACL calls.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import nomad
import pytest
from nomad.api import exceptions

from caravan.ids import random_id
from tests.agents import wait_until
from tests.e2e.cli import caravan
from tests.integration.jobs import raw_exec_job


from tests.integration.acl.cluster import (
    _rules_lacking,
    Case,
    ACL_ON,
    AclAgent,
    Cluster,
    TEAM_A,
    _register,
    _running_alloc,
)

pytestmark = pytest.mark.integration


# ---- the capability matrix ---------------------------------------------------------------


def _job_body() -> dict[str, Any]:
    return raw_exec_job(f"m-{random_id()[:8]}")


CASES = [
    Case("list jobs", "GET", "/v1/jobs", ("list-jobs",)),
    Case("register job", "PUT", "/v1/jobs", ("submit-job",), _job_body, ("register-job",)),
    Case("register job (fine-grained)", "PUT", "/v1/jobs", ("register-job",), _job_body,
         ("submit-job",)),
    Case("parse job", "POST", "/v1/jobs/parse", ("parse-job",),
         lambda: {"JobHCL": 'job "x" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"'
                            '\n    }\n  }\n}\n'}, ("submit-job",)),
    Case("read job", "GET", "/v1/job/web", ("read-job",)),
    Case("job versions", "GET", "/v1/job/web/versions", ("read-job",)),
    Case("job allocations", "GET", "/v1/job/web/allocations", ("read-job",)),
    Case("job evaluations", "GET", "/v1/job/web/evaluations", ("read-job",)),
    Case("job summary", "GET", "/v1/job/web/summary", ("read-job",)),
    Case("job actions", "GET", "/v1/job/web/actions", ("read-job",)),
    Case("job scale status", "GET", "/v1/job/web/scale", ("read-job-scaling",),
         also=("read-job",)),
    Case("evaluate job", "POST", "/v1/job/web/evaluate", ("submit-job",)),
    Case("plan job", "POST", "/v1/job/web/plan", ("submit-job",),
         lambda: {"Job": raw_exec_job("web")["Job"], "Diff": True}),
    Case("list allocations", "GET", "/v1/allocations", ("read-job",)),
    Case("read allocation", "GET", "/v1/allocation/{web_alloc}", ("read-job",)),
    Case("list evaluations", "GET", "/v1/evaluations", ("read-job",)),
    Case("alloc stats", "GET", "/v1/client/allocation/{web_alloc}/stats", ("read-job",)),
    Case("alloc logs", "GET",
         "/v1/client/fs/logs/{web_alloc}?task=main&type=stdout&plain=true", ("read-logs",),
         also=("read-fs",)),
    Case("alloc fs ls", "GET", "/v1/client/fs/ls/{web_alloc}?path=/", ("read-fs",)),
    Case("alloc fs stat", "GET", "/v1/client/fs/stat/{web_alloc}?path=main", ("read-fs",)),
    Case("alloc fs cat", "GET", "/v1/client/fs/cat/{web_alloc}?path=alloc/logs/main.stdout.0",
         ("read-fs",)),
    Case("alloc fs readat", "GET",
         "/v1/client/fs/readat/{web_alloc}?path=alloc/logs/main.stdout.0&offset=0&limit=3",
         ("read-fs",)),
    Case("alloc fs stream", "GET",
         "/v1/client/fs/stream/{web_alloc}?path=alloc/logs/main.stdout.0&follow=false",
         ("read-fs",)),
    Case("alloc signal", "POST", "/v1/client/allocation/{web_alloc}/signal",
         ("alloc-lifecycle",), lambda: {"Task": "main", "Signal": "SIGWINCH"}),
    Case("exec sessions", "GET", "/v1/exec/sessions", ("read-exec-audit",)),
    Case("list services", "GET", "/v1/services", ("read-job",)),
    Case("read service", "GET", "/v1/service/web", ("read-job",)),
    Case("alloc services", "GET", "/v1/allocation/{web_alloc}/services", ("read-job",)),
    Case("job services", "GET", "/v1/job/web/services", ("read-job",)),
    Case("list nodes", "GET", "/v1/nodes", ("node:read",)),
    Case("read node", "GET", "/v1/node/{node_id}", ("node:read",)),
    Case("node allocations", "GET", "/v1/node/{node_id}/allocations", ("node:read",)),
    Case("node metadata", "GET", "/v1/client/metadata?node_id={node_id}", ("node:read",)),
    Case("node drain (cancel)", "PUT", "/v1/node/{node_id}/drain", ("node:write",),
         lambda: {"DrainSpec": None, "MarkEligible": True}),
    Case("node evaluate", "PUT", "/v1/node/{node_id}/evaluate", ("node:write",)),
    Case("scheduler config", "GET", "/v1/operator/scheduler/configuration",
         ("operator:read",)),
    Case("set scheduler config", "PUT", "/v1/operator/scheduler/configuration",
         ("operator:write",), lambda: {"PreemptionConfig": {"SystemSchedulerEnabled": True}}),
    Case("agent self", "GET", "/v1/agent/self", ("agent:read",)),
    Case("agent members", "GET", "/v1/agent/members", ("node:read",)),
    Case("list ACL tokens", "GET", "/v1/acl/tokens", ("management",)),
    Case("write namespace", "PUT", "/v1/namespace/team-z", ("management",),
         lambda: {"Name": "team-z"}),
]

_COARSE_WRITE = 'node {\n  policy = "write"\n}\nagent {\n  policy = "write"\n}\n' \
                'operator {\n  policy = "write"\n}\n'


def _rules_granting(needs: tuple[str, ...]) -> str:
    caps = [c for c in needs if ":" not in c and c != "management"]
    coarse = [c.split(":") for c in needs if ":" in c]
    rules = "".join(f'{kind} {{\n  policy = "{level}"\n}}\n' for kind, level in coarse)
    if caps or not rules:
        listed = json.dumps(caps or ["parse-job"])
        rules += f'namespace "default" {{\n  capabilities = {listed}\n}}\n'
    return rules


def _call(cluster: Cluster, case: Case, secret: str) -> httpx.Response:
    path = case.path.format(web_alloc=cluster.web_alloc, node_id=cluster.node_id)
    with cluster.agent.http(secret) as http:
        return http.request(case.method, path, json=case.body() if case.body else None)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_exactly_the_needed_capability_is_enough(cluster: Cluster, case: Case) -> None:
    secret = cluster.agent.root_secret if case.needs == ("management",) \
        else cluster.token(_rules_granting(case.needs))
    reply = _call(cluster, case, secret)
    assert reply.status_code < 300, f"{case.name}: {reply.status_code} {reply.text}"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_other_capability_is_not_enough(cluster: Cluster, case: Case) -> None:
    reply = _call(cluster, case, cluster.token(_rules_lacking(case)))
    assert (reply.status_code, reply.text) == (403, "Permission denied"), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_no_token_and_an_unknown_token(cluster: Cluster, case: Case) -> None:
    assert _call(cluster, case, "").status_code == 403
    reply = _call(cluster, case, random_id())
    assert (reply.status_code, reply.text) == (403, "ACL token not found")


def test_deregister_and_alloc_stop_need_their_capabilities(cluster: Cluster) -> None:
    _register(cluster.root, "doomed")
    alloc = _running_alloc(cluster.root, "doomed", "default")
    lacking = cluster.token(_rules_lacking(Case("", "", "", ("alloc-lifecycle",))))
    with cluster.agent.http(lacking) as http:
        assert http.post(f"/v1/allocation/{alloc}/stop").status_code == 403
    with cluster.agent.http(cluster.token(_rules_granting(("alloc-lifecycle",)))) as http:
        assert http.post(f"/v1/allocation/{alloc}/stop").status_code == 200
    no_submit = cluster.token(_rules_lacking(
        Case("", "", "", ("submit-job",), also=("deregister-job", "purge-job"))))
    with cluster.agent.http(no_submit) as http:
        assert http.delete("/v1/job/doomed").status_code == 403
    with cluster.agent.http(cluster.token(_rules_granting(("deregister-job",)))) as http:
        assert http.delete("/v1/job/doomed").status_code == 200




def test_a_token_for_one_namespace_sees_nothing_of_another(cluster: Cluster) -> None:
    with cluster.agent.http(cluster.token(TEAM_A)) as http:
        assert http.get("/v1/jobs", params={"namespace": "team-b"}).status_code == 403
        assert http.get("/v1/jobs", params={"namespace": "default"}).status_code == 403
        assert http.get("/v1/job/other", params={"namespace": "team-b"}).status_code == 403
        # 403 whether or not the job exists: existence is not revealed.
        assert http.get("/v1/job/nope", params={"namespace": "team-b"}).status_code == 403
        assert http.get(f"/v1/allocation/{cluster.other_alloc}").status_code == 403
        assert http.get(f"/v1/allocation/{random_id()}").status_code == 403
        assert http.get(f"/v1/client/fs/logs/{cluster.other_alloc}",
                        params={"task": "main", "type": "stdout"}).status_code == 403
        assert http.post(f"/v1/allocation/{cluster.other_alloc}/stop").status_code == 403
        assert [n["Name"] for n in http.get("/v1/namespaces").json()] == ["team-a"]
        assert http.get("/v1/namespace/team-b").status_code == 403


def test_star_lists_only_the_namespaces_the_token_may_read(cluster: Cluster) -> None:
    _register(cluster.root, "mine", "team-a")
    with cluster.agent.http(cluster.token(TEAM_A)) as http:
        jobs = http.get("/v1/jobs", params={"namespace": "*"}).json()
        assert {(j["Namespace"], j["ID"]) for j in jobs} == {("team-a", "mine")}
        allocs = http.get("/v1/allocations", params={"namespace": "*"}).json()
        assert {a["Namespace"] for a in allocs} <= {"team-a"}
        evals = http.get("/v1/evaluations", params={"namespace": "*"}).json()
        assert {e["Namespace"] for e in evals} == {"team-a"}
    with cluster.agent.http(cluster.token('node {\n  policy = "read"\n}\n')) as http:
        assert http.get("/v1/jobs", params={"namespace": "*"}).status_code == 403


def test_bootstrap_works_once_and_again_after_a_reset_file(tmp_path: Path) -> None:
    agent = AclAgent(root=tmp_path, name="boot", config=ACL_ON, dev=False, client=False,
                     bootstrap=False)
    try:
        agent.start()
        first = httpx.post(f"{agent.address}/v1/acl/bootstrap", timeout=10)
        assert first.status_code == 200, first.text
        token = first.json()
        assert (token["Name"], token["Type"], token["Global"]) == ("Bootstrap Token",
                                                                   "management", True)
        again = httpx.post(f"{agent.address}/v1/acl/bootstrap", timeout=10)
        assert again.status_code == 400
        assert again.text.startswith("ACL bootstrap already done (reset index: ")
        index = int(again.text.rsplit(" ", 1)[1].rstrip(")"))
        (agent.data_dir / "server" / "acl-bootstrap-reset").write_text(f"{index}\n")
        second = httpx.post(f"{agent.address}/v1/acl/bootstrap", timeout=10)
        assert second.status_code == 200, second.text
        assert second.json()["SecretID"] != token["SecretID"]
        with agent.http(token["SecretID"]) as http:  # the first token still works
            assert http.get("/v1/acl/tokens").status_code == 200
    finally:
        agent.stop()


def test_expired_tokens_are_refused(tmp_path: Path) -> None:
    config = 'acl {\n  enabled = true\n  token_min_expiration_ttl = "1s"\n}\n'
    agent = AclAgent(root=tmp_path, name="ttl", config=config, dev=False, client=False,
                     bootstrap=False)
    try:
        agent.start()
        root = httpx.post(f"{agent.address}/v1/acl/bootstrap", timeout=10).json()["SecretID"]
        with agent.http(root) as http:
            http.put("/v1/acl/policy/nodes", json={"Name": "nodes",
                                                   "Rules": 'node { policy = "read" }'})
            token = http.put("/v1/acl/token", json={"Type": "client", "Policies": ["nodes"],
                                                    "ExpirationTTL": "2s"}).json()
        assert token["ExpirationTime"]
        with agent.http(token["SecretID"]) as http:
            assert http.get("/v1/nodes").status_code == 200

            def refused() -> httpx.Response | None:
                reply = http.get("/v1/nodes")
                return reply if reply.status_code == 403 else None

            reply = wait_until(refused, 30, interval_s=0.5, what="the token to expire")
            assert reply.text == "ACL token expired"
    finally:
        agent.stop()


def test_a_node_secret_is_not_a_user_token(cluster: Cluster) -> None:
    node_id, node_secret = cluster.agent.node_secret()
    with cluster.agent.http(node_secret) as http:
        reply = http.put("/v1/jobs", json=_job_body())
        assert (reply.status_code, reply.text) == (403, "ACL token not found")
        assert http.get("/v1/jobs").status_code == 403
        # ... but the node may pull its own allocations with it.
        assert http.get(f"/v1/node/{node_id}/allocations").status_code == 200
    url = urlparse(cluster.agent.address)
    as_node = nomad.Nomad(host=url.hostname, port=url.port, token=node_secret, timeout=10)
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        as_node.job.register_job("sneaky", raw_exec_job("sneaky"))


# ---- the CLI -----------------------------------------------------------------------------


def _cli(cluster: Cluster, secret: str, *args: str) -> tuple[int, str, str]:
    env = {**cluster.agent.env, "CARAVAN_TOKEN": secret}
    done = caravan(cluster.agent, *args, env=env)
    return done.returncode, done.stdout, done.stderr


def test_acl_and_namespace_commands(cluster: Cluster, tmp_path: Path) -> None:
    root = cluster.agent.root_secret
    rules = tmp_path / "ops.policy.hcl"
    rules.write_text('namespace "team-c" {\n  policy = "write"\n}\nnode {\n  policy = "read"\n}\n')
    assert _cli(cluster, root, "namespace", "apply", "-description", "team c", "team-c") == (
        0, 'Successfully applied namespace "team-c"!\n', "")
    assert _cli(cluster, root, "acl", "policy", "apply", "-description", "ops", "ops",
                str(rules)) == (0, 'Successfully wrote "ops" ACL policy!\n', "")
    code, out, err = _cli(cluster, root, "acl", "token", "create", "-name", "alice",
                          "-policy", "ops", "-policy", "ops-extra", "-type", "client")
    assert code == 0, err
    fields = dict((k.strip(), v.strip()) for k, v in
                  (line.split(" = ", 1) for line in out.splitlines() if " = " in line))
    assert (fields["Name"], fields["Type"]) == ("alice", "client")
    assert fields["Policies"] == "[ops ops-extra]"
    alice, accessor = fields["Secret ID"], fields["Accessor ID"]

    code, out, _ = _cli(cluster, alice, "acl", "token", "self")
    assert code == 0 and f"Secret ID    = {alice}" in out and "Name         = alice" in out
    code, out, _ = _cli(cluster, root, "acl", "token", "info", accessor)
    assert code == 0 and "Secret ID    = <none>" in out
    code, out, _ = _cli(cluster, root, "acl", "token", "list")
    assert code == 0 and out.startswith("Name") and accessor in out
    code, out, _ = _cli(cluster, root, "acl", "policy", "list")
    assert code == 0 and "ops" in out
    code, out, _ = _cli(cluster, alice, "acl", "policy", "info", "ops")
    assert code == 0 and out.startswith("Name        = ops\n") and "Rules" in out
    code, out, _ = _cli(cluster, alice, "namespace", "list")
    assert code == 0 and out.splitlines()[1:] == ["team-c  team c"]
    code, out, _ = _cli(cluster, alice, "namespace", "status", "team-c")
    assert code == 0 and "Description            = team c" in out

    code, _, err = _cli(cluster, alice, "acl", "token", "list")
    assert code == 1 and "403 (Permission denied)" in err
    code, _, err = _cli(cluster, alice, "job", "status", "-namespace", "team-b", "other")
    assert code == 1 and "Permission denied" in err
    code, _, err = _cli(cluster, root, "acl", "bootstrap")
    assert code == 1
    assert "Error bootstrapping: Unexpected response code: 400 (ACL bootstrap already done" \
        in err

    assert _cli(cluster, root, "acl", "token", "delete", accessor) == (
        0, f"Token {accessor} successfully deleted\n", "")
    code, _, err = _cli(cluster, alice, "acl", "token", "self")
    assert code == 1 and "ACL token not found" in err
    assert _cli(cluster, root, "acl", "policy", "delete", "ops") == (
        0, "Successfully deleted ops policy!\n", "")
    assert _cli(cluster, root, "namespace", "delete", "team-c") == (
        0, 'Successfully deleted namespace "team-c"!\n', "")


def test_malformed_policy_is_a_400_with_line_and_field(cluster: Cluster, tmp_path: Path) -> None:
    bad = tmp_path / "bad.hcl"
    bad.write_text('namespace "default" {\n  policy = "write"\n  capabilities = ["alloc-exe"]\n}\n')
    code, _, err = _cli(cluster, cluster.agent.root_secret, "acl", "policy", "apply", "bad",
                        str(bad))
    assert code == 1
    assert "Unexpected response code: 400" in err
    assert "line 3" in err and "Invalid namespace capability 'alloc-exe'" in err


# ---- python-nomad ------------------------------------------------------------------------


def _nomad(cluster: Cluster, secret: str | None) -> nomad.Nomad:
    url = urlparse(cluster.agent.address)
    return nomad.Nomad(host=url.hostname, port=url.port, token=secret, timeout=10)


def test_python_nomad_acl_calls(cluster: Cluster) -> None:
    api = _nomad(cluster, cluster.agent.root_secret)
    with pytest.raises(exceptions.BadRequestNomadException):
        api.acl.generate_bootstrap()
    api.acl.create_policy("readers", {"Name": "readers", "Description": "read default",
                                      "Rules": 'namespace "default" { policy = "read" }'})
    assert api.acl.get_policy("readers")["Description"] == "read default"
    assert "readers" in {p["Name"] for p in api.acl.get_policies()}
    token = api.acl.create_token({"Name": "bob", "Type": "client", "Policies": ["readers"]})
    assert token["SecretID"] and token["AccessorID"]
    assert token["AccessorID"] in {t["AccessorID"] for t in api.acl.get_tokens()}

    bob = _nomad(cluster, token["SecretID"])
    assert bob.acl.get_self_token()["Name"] == "bob"
    assert [j["ID"] for j in bob.jobs.get_jobs() if j["ID"] == "web"] == ["web"]
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        bob.job.register_job("bobs", raw_exec_job("bobs"))
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        bob.acl.get_tokens()
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        bob.nodes.get_nodes()

    updated = api.acl.update_token(token["AccessorID"], {
        "AccessorID": token["AccessorID"], "Name": "bobby", "Type": "client",
        "Policies": ["readers"]})
    assert updated["Name"] == "bobby"
    assert api.acl.delete_token(token["AccessorID"])
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        bob.acl.get_self_token()
    assert api.acl.delete_policy("readers")


def test_python_nomad_namespace_calls(cluster: Cluster) -> None:
    api = _nomad(cluster, cluster.agent.root_secret)
    api.namespace.create_namespace({"Name": "py-ns", "Description": "from python"})
    assert api.namespace.get_namespace("py-ns")["Description"] == "from python"
    assert "py-ns" in {n["Name"] for n in api.namespaces.get_namespaces()}
    reader = _nomad(cluster, cluster.token(TEAM_A))
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        reader.namespace.create_namespace({"Name": "nope"})
    api.namespace.delete_namespace("py-ns")
    with pytest.raises(exceptions.URLNotFoundNomadException):
        api.namespace.get_namespace("py-ns")
