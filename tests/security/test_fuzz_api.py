"""Property-based fuzzing (hypothesis) of the job parsers and the API bodies (issue 9).

Any input gives a job or an InvalidInput (parsers), a 2xx or a 4xx (HTTP) — never a
500, an unexpected exception or a dead agent — and after a 4xx what the server has
stored is unchanged. Examples are derandomized, so CI sees the same inputs every run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from caravan.errors import InvalidInput
from caravan.jobspec import parse_hcl, parse_json
from tests.integration.acl.cluster import AclAgent

pytestmark = pytest.mark.integration

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# ---- strategies ---------------------------------------------------------------------------

# Integers near the edges that matter: int64, 2^63 counts, negative values.
edge_ints = st.one_of(st.integers(-5, 5), st.sampled_from([2**31, 2**53, 2**63 - 1, 2**63,
                                                           2**64, -(2**63) - 1]),
                      st.integers())
texts = st.one_of(st.text(max_size=20), st.sampled_from(["..", ".", "a/b", "alloc", "a\x00b",
                                                         "\ud800", "*", "default", ""]))
json_values = st.recursive(
    st.none() | st.booleans() | edge_ints | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The field's own kind of value most of the time, any JSON value sometimes."""
    return st.one_of(strategy, strategy, json_values)


# Tasks either use a driver caravan lacks (any config: refused at submit) or run /bin/true.
tasks = st.one_of(
    st.fixed_dictionaries({"Name": maybe(texts), "Driver": st.just("docker"),
                           "Config": json_values}),
    st.fixed_dictionaries({"Name": maybe(texts), "Driver": st.sampled_from(["raw_exec"]),
                           "Config": st.just({"command": "/bin/true"})},
                          optional={"Resources": maybe(st.fixed_dictionaries(
                              {"CPU": edge_ints, "MemoryMB": edge_ints})),
                                    "KillTimeout": edge_ints, "Env": maybe(st.dictionaries(
                                        texts, texts, max_size=2))}))
groups = st.fixed_dictionaries(
    {"Name": maybe(texts), "Tasks": maybe(st.lists(tasks, max_size=2))},
    optional={"Count": maybe(edge_ints), "Meta": json_values,
              "Volumes": maybe(st.dictionaries(texts, st.fixed_dictionaries(
                  {"Type": st.just("host"), "Source": texts}), max_size=1))})
jobs = st.fixed_dictionaries(
    {"ID": maybe(texts), "Type": maybe(st.sampled_from(["batch", "sysbatch", "system", "x"])),
     "TaskGroups": maybe(st.lists(groups, max_size=2))},
    optional={"Name": maybe(texts), "Priority": maybe(edge_ints),
              "Datacenters": maybe(st.lists(texts, max_size=2)), "Namespace": maybe(texts),
              "Meta": json_values, "Constraints": json_values})
raw_bodies = st.one_of(st.binary(max_size=64), st.text(max_size=64).map(str.encode),
                       json_values.map(lambda v: json.dumps(v).encode()))
hcl_texts = st.one_of(
    st.text(max_size=80),
    st.builds(lambda job, group, task, extra: (
        f'job "{job}" {{\n  {extra}\n  group "{group}" {{\n    count = 1\n'
        f'    task "{task}" {{\n      driver = "raw_exec"\n    }}\n  }}\n}}\n'),
        texts, texts, texts, st.sampled_from(["", "priority = 1e99", 'type = "batch"',
                                              "meta { a = [[[[1]]]] }", "count = -1",
                                              "datacenters = [", "x = 99999999999999999999"])))


# ---- the parsers, in process ----------------------------------------------------------------


@FUZZ
@given(text=hcl_texts)
def test_fuzz_hcl_parser_gives_a_job_or_invalid_input(text: str) -> None:
    try:
        parse_hcl(text)
    except InvalidInput:
        pass


@FUZZ
@given(document=st.one_of(jobs.map(lambda j: json.dumps({"Job": j})), jobs.map(json.dumps),
                          raw_bodies.map(lambda b: b.decode(errors="replace"))))
def test_fuzz_json_job_parser_gives_a_job_or_invalid_input(document: str) -> None:
    try:
        parse_json(document)
    except InvalidInput:
        pass


# ---- the HTTP API, against one real agent -------------------------------------------------


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    """ACLs on (so ACL bodies are parsed for real), requests made with the management token,
    and a small `job_max_count`, so that jobs the fuzzer gets accepted stay cheap."""
    agent = AclAgent(root=tmp_path_factory.mktemp("fuzz"), name="fuzz",
                     config="acl {\n  enabled = true\n}\nserver {\n  job_max_count = 3\n}\n")
    try:
        yield agent.start(timeout_s=60)
    finally:
        agent.stop()


@pytest.fixture(scope="module")
def http(agent: AclAgent) -> Iterator[httpx.Client]:
    with agent.http(agent.root_secret) as client:
        yield client


def _stored(http: httpx.Client, listing: str, *keys: str) -> list[tuple[Any, ...]]:
    reply = http.get(listing)
    assert reply.status_code == 200, reply.text
    return sorted(tuple(str(item.get(k)) for k in keys) for item in reply.json())


def _check(http: httpx.Client, method: str, path: str, body: bytes,
           state: Callable[[], list[tuple[Any, ...]]]) -> None:
    before = state()
    reply = http.request(method, path, content=body,
                         headers={"Content-Type": "application/json"})
    assert reply.status_code < 500, (path, body[:200], reply.status_code, reply.text[:300])
    if reply.status_code >= 400:
        assert state() == before, (path, body[:200], reply.text[:300])


def _jobs(http: httpx.Client) -> Callable[[], list[tuple[Any, ...]]]:
    return lambda: _stored(http, "/v1/jobs?namespace=*", "ID", "Namespace", "JobModifyIndex")


@FUZZ
@given(body=st.one_of(jobs.map(lambda j: json.dumps({"Job": j}).encode()), raw_bodies))
def test_fuzz_job_register(http: httpx.Client, body: bytes) -> None:
    _check(http, "PUT", "/v1/jobs", body, _jobs(http))


@FUZZ
@given(body=st.one_of(hcl_texts.map(lambda t: json.dumps({"JobHCL": t, "Canonicalize": True})
                                    .encode()), raw_bodies))
def test_fuzz_job_parse(http: httpx.Client, body: bytes) -> None:
    _check(http, "PUT", "/v1/jobs/parse", body, _jobs(http))


policy_rules = st.one_of(texts, st.builds(
    lambda ns, policy, caps: f'namespace "{ns}" {{\n  policy = "{policy}"\n'
                             f"  capabilities = {json.dumps(caps)}\n}}\n",
    texts, st.sampled_from(["read", "write", "deny", "x"]), st.lists(texts, max_size=2)))


@FUZZ
@given(name=st.sampled_from(["fuzz", "a", "x" * 200]),
       body=st.one_of(st.fixed_dictionaries({"Name": maybe(texts), "Rules": maybe(policy_rules)},
                                            optional={"Description": maybe(texts)})
                      .map(lambda b: json.dumps(b).encode()), raw_bodies))
def test_fuzz_acl_policy_apply(http: httpx.Client, name: str, body: bytes) -> None:
    _check(http, "PUT", f"/v1/acl/policy/{name}", body,
           lambda: _stored(http, "/v1/acl/policies", "Name", "ModifyIndex"))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries(
    {"Name": maybe(texts), "Type": maybe(st.sampled_from(["client", "management", "x"])),
     "Policies": maybe(st.lists(texts, max_size=2))},
    optional={"Global": json_values, "ExpirationTTL": maybe(st.sampled_from(
        ["1h", "-1s", "1000000h", "x"])), "AccessorID": texts})
    .map(lambda b: json.dumps(b).encode()), raw_bodies))
def test_fuzz_acl_token_create(http: httpx.Client, body: bytes) -> None:
    _check(http, "PUT", "/v1/acl/token", body,
           lambda: _stored(http, "/v1/acl/tokens", "AccessorID", "ModifyIndex"))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({"Name": maybe(texts)},
                                            optional={"Description": maybe(texts),
                                                      "Meta": json_values})
                      .map(lambda b: json.dumps(b).encode()), raw_bodies))
def test_fuzz_namespace_apply(http: httpx.Client, body: bytes) -> None:
    _check(http, "PUT", "/v1/namespace", body,
           lambda: _stored(http, "/v1/namespaces", "Name", "ModifyIndex"))


@FUZZ
@given(body=st.one_of(st.fixed_dictionaries({"Node": json_values}).map(
    lambda b: json.dumps(b).encode()), raw_bodies))
def test_fuzz_node_register(http: httpx.Client, body: bytes) -> None:
    _check(http, "PUT", "/v1/node/register", body,
           lambda: _stored(http, "/v1/nodes", "ID", "Name"))


def test_the_fuzzed_agent_is_alive_and_answers(agent: AclAgent, http: httpx.Client) -> None:
    assert agent.proc is not None and agent.proc.poll() is None
    assert http.get("/v1/agent/self").status_code == 200


# ---- query parameters of the read routes --------------------------------------------------

# httpx cannot send a lone surrogate in a URL (percent-encoded bytes are covered by `texts`
# elsewhere); everything else goes.
query_values = st.one_of(edge_ints.map(str), texts.filter(lambda t: "\ud800" not in t),
                         st.text(st.characters(exclude_categories=("Cs",)), max_size=20))
waits = st.sampled_from(["1ms", "0", "x", "-1s", "1e400s", "9999999999999999999h"])


@FUZZ
@given(route=st.sampled_from(["/v1/jobs", "/v1/allocations", "/v1/evaluations", "/v1/nodes",
                              "/v1/job/web", "/v1/job/web/allocations", "/v1/namespaces",
                              "/v1/acl/policies", "/v1/acl/tokens"]),
       params=st.dictionaries(st.sampled_from(["index", "prefix", "namespace", "all", "pretty",
                                               "purge", "filter"]), query_values, max_size=3),
       wait=waits)
def test_fuzz_query_parameters(http: httpx.Client, route: str, params: dict[str, str],
                               wait: str) -> None:
    reply = http.get(route, params={**params, "wait": wait})
    assert reply.status_code < 500, (route, params, wait, reply.status_code, reply.text[:300])
