"""Property-based fuzzing (hypothesis) of this area's inputs: search bodies, job-status
bodies and query parameters, event-stream and monitor parameters. Any input gives a 2xx
or a 4xx, never a 500 or a dead agent. Examples are derandomized."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.agents import AgentProcess
from tests.security.test_fuzz_api import json_values, texts

pytestmark = pytest.mark.integration

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])
contexts = st.one_of(st.sampled_from(["all", "jobs", "allocs", "nodes", "vars", "deployment",
                                      "namespaces", "node_pools", "evals"]), texts)
search_bodies = st.one_of(json_values, st.fixed_dictionaries(
    {"Context": contexts}, optional={"Prefix": texts, "Text": texts, "Namespace": texts}))
# Query values a URL can carry (no lone surrogates), with the ones that matter.
values = st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=20),
                   st.sampled_from(["*", "Job:a:b", ":", "-1", "99999999999999999999", "true",
                                    "debug", "Job", "Node:*", ""]))
params = st.lists(st.tuples(st.sampled_from(["topic", "index", "namespace", "per_page",
                                             "next_token", "include_children", "log_level",
                                             "log_json", "plain", "node_id"]), values),
                  max_size=4)


@pytest.fixture(scope="module")
def api(dev_agent: AgentProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=dev_agent.address, timeout=30) as client:
        yield client


def _ok(status: int, text: str) -> None:
    assert status < 500, text


@FUZZ
@given(body=search_bodies, fuzzy=st.booleans())
def test_search_bodies(api: httpx.Client, body: object, fuzzy: bool) -> None:
    reply = api.put("/v1/search/fuzzy" if fuzzy else "/v1/search",
                    content=json.dumps(body).encode())
    _ok(reply.status_code, reply.text)


@FUZZ
@given(body=json_values, query=params)
def test_job_statuses(api: httpx.Client, body: object, query: list[tuple[str, str]]) -> None:
    query = [*query, ("wait", "10ms")]  # a fuzzed `index` must not block for minutes
    reply = api.post("/v1/jobs/statuses", content=json.dumps(body).encode(), params=query)
    _ok(reply.status_code, reply.text)
    _ok(api.get("/v1/jobs/statuses", params=query).status_code, "GET")


@FUZZ
@given(query=params, path=st.sampled_from(["/v1/event/stream", "/v1/agent/monitor"]))
def test_stream_parameters(api: httpx.Client, query: list[tuple[str, str]], path: str) -> None:
    with api.stream("GET", path, params=query) as reply:
        _ok(reply.status_code, path)  # the head only: a 200 streams on until closed
    assert api.get("/v1/agent/health").status_code == 200  # and the agent is still fine
