"""Class 8 of issue 9: input that hurts the server.

What one request may cost is bounded, and answered with a clear 400: a group's `count`
(2^63 made the scheduler eat memory until the agent no longer stopped on SIGINT), integers
beyond int64, JSON and HCL nesting and size, lone surrogates. HCL parsing runs off the
event loop; streaming routes answer their errors before the response starts; half-sent
and idle connections are closed (CVE-2020-7218); an anonymous exec is refused before the
allocation is looked up (CVE-2023-1782); the parse endpoint is bounded (CVE-2022-24685).
"""

from __future__ import annotations

import fcntl
import json
import select
import signal
import socket
import ssl
import struct
import termios
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from caravan.ids import random_id
from caravan.server.state import StateStore
from caravan.server.state.sqlite import SqliteBackend
from caravan.structs import Evaluation, Job, canonicalize
from tests.agents import AgentProcess, wait_until
from tests.integration.acl.cluster import ACL_ON, AclAgent, _register, _running_alloc
from tests.integration.jobs import raw_exec_job
from tests.security.pki import make_pki

pytestmark = pytest.mark.integration

JOB_MAX_COUNT = 10_000  # the server's default `job_max_count`


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    """A -dev agent whose HTTP read deadlines are short, so a test can wait for them."""
    agent = AgentProcess(root=tmp_path_factory.mktemp("limits"), name="limits",
                         config='limits {\n  http_read_header_timeout = "1s"\n'
                                 '  http_read_timeout = "2s"\n}\n')
    try:
        yield agent.start()
    finally:
        agent.stop()


def _put(agent: AgentProcess, body: bytes | dict[str, Any], path: str = "/v1/jobs"
         ) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return httpx.put(f"{agent.address}{path}", content=content, timeout=60)


def _stored_jobs(agent: AgentProcess) -> list[str]:
    return [j["ID"] for j in httpx.get(f"{agent.address}/v1/jobs", timeout=10).json()]


# ---- count, integers, nesting, surrogates ------------------------------------------------


@pytest.mark.parametrize("count", [JOB_MAX_COUNT + 1, 2**63 - 1, 2**63, 2**64],
                         ids=["limit+1", "int64-max", "2^63", "2^64"])
def test_a_group_count_beyond_the_server_limit_is_refused(agent: AgentProcess,
                                                          count: int) -> None:
    reply = _put(agent, raw_exec_job(f"count-{count}", count=count))
    assert reply.status_code == 400, reply.text[:300]
    assert "TaskGroups[0].Count" in reply.text
    assert f"count-{count}" not in _stored_jobs(agent)
    assert httpx.get(f"{agent.address}/v1/agent/self", timeout=10).status_code == 200


def test_integers_beyond_int64_are_refused(agent: AgentProcess) -> None:
    body = raw_exec_job("huge-int")
    body["Job"]["TaskGroups"][0]["Tasks"][0]["KillTimeout"] = 2**64
    reply = _put(agent, body)
    assert reply.status_code == 400 and "KillTimeout" in reply.text, reply.text
    digits = json.dumps(raw_exec_job("digits")).replace('"Count": 1', '"Count": ' + "9" * 5000)
    reply = _put(agent, digits.encode())
    assert reply.status_code == 400, reply.text[:300]
    assert not {"huge-int", "digits"} & set(_stored_jobs(agent))


@pytest.mark.parametrize("depth", [200, 100_000])
def test_json_nested_too_deeply_is_refused(agent: AgentProcess, depth: int) -> None:
    body = json.dumps(raw_exec_job("deep")).replace(
        '"Config": {', '"Config": {"nest": ' + "[" * depth + "]" * depth + ", ")
    reply = _put(agent, body.encode())
    assert reply.status_code == 400, reply.text[:300]
    assert "nested too deeply" in reply.text
    assert "deep" not in _stored_jobs(agent)


@pytest.mark.parametrize(("old", "new", "where"), [
    ('"Name": "surrogate"', '"Name": "a\\ud800b"', "Job.Name"),
    ('"Datacenters"', '"Meta": {"k": "\\udfff"}, "Datacenters"', "Job.Meta.k"),
    ('"Datacenters"', '"Meta": {"\\udfff": "v"}, "Datacenters"', "Job.Meta (a key)"),
])
def test_lone_surrogates_are_refused(agent: AgentProcess, old: str, new: str,
                                     where: str) -> None:
    body = json.dumps(raw_exec_job("surrogate")).replace(old, new, 1)
    reply = _put(agent, body.encode())
    assert reply.status_code == 400, reply.text[:300]
    assert "lone surrogate" in reply.text and where in reply.text
    assert "surrogate" not in _stored_jobs(agent)


# ---- HCL: size, nesting, and parsing off the event loop ----------------------------------


def _hcl_with_meta(entries: int) -> str:
    meta = "\n".join(f'    key{i} = "value number {i} with some padding text"'
                     for i in range(entries))
    return (f'job "big" {{\n  datacenters = ["*"]\n  meta {{\n{meta}\n  }}\n'
            '  group "g" {\n    task "t" {\n      driver = "raw_exec"\n'
            '      config { command = "/bin/true" }\n    }\n  }\n}\n')


def test_cve_2022_24685_a_job_file_over_the_hcl_size_limit_is_refused(
        agent: AgentProcess) -> None:
    reply = _put(agent, {"JobHCL": _hcl_with_meta(40_000)}, "/v1/jobs/parse")
    assert reply.status_code == 400, reply.text[:300]
    assert "too large" in reply.text


def test_cve_2022_24685_hcl_nested_too_deeply_is_refused(agent: AgentProcess) -> None:
    deep = 'job "d" {\n  meta { x = ' + "[" * 5000 + "]" * 5000 + " }\n}\n"
    reply = _put(agent, {"JobHCL": deep}, "/v1/jobs/parse")
    assert reply.status_code == 400, reply.text[:300]
    assert "nested too deeply" in reply.text


def _unacked_bytes(sock: socket.socket) -> int:
    return int(struct.unpack("i", fcntl.ioctl(sock, termios.TIOCOUTQ, b"\0" * 4))[0])


def _cheap_request_answered_first(agent: AgentProcess, path: str, body: bytes) -> bytes:
    """Send `body` to `path` whole; once the server's kernel has acknowledged all of it, send
    a cheap request. Asserts the cheap one is answered while the big one is still being
    worked on (on the event loop, its work would begin before the cheap request is even
    read). Returns the big request's response."""
    head = (f"PUT {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", agent.port)) as big:
        big.sendall(head + body)
        wait_until(lambda: _unacked_bytes(big) == 0, 30, 0.001, what="the body acknowledged")
        cheap = httpx.get(f"{agent.address}/v1/agent/self", timeout=60)
        readable, _, _ = select.select([big], [], [], 0)
        assert cheap.status_code == 200
        assert not readable, f"{path} was answered before the cheap request"
        big.settimeout(60)
        reply = b""
        while chunk := big.recv(65536):
            reply += chunk
    return reply


def test_cve_2022_24685_hcl_parsing_does_not_stall_other_requests(agent: AgentProcess) -> None:
    body = json.dumps({"JobHCL": _hcl_with_meta(12_000)}).encode()  # ~700 KB: seconds
    reply = _cheap_request_answered_first(agent, "/v1/jobs/parse", body)
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]


def test_a_large_job_is_checked_off_the_event_loop(agent: AgentProcess) -> None:
    """5,000 groups (~1 MB): seconds of decoding, canonicalizing and validating. The last
    group is invalid, so the job is refused after all that work (and nothing is placed)."""
    body = raw_exec_job("many-groups")
    group = body["Job"]["TaskGroups"][0]
    body["Job"]["TaskGroups"] = [dict(group, Name=f"g{i}") for i in range(5000)]
    body["Job"]["TaskGroups"][-1]["Count"] = -1
    reply = _cheap_request_answered_first(agent, "/v1/jobs", json.dumps(body).encode())
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]
    assert b"TaskGroups[4999].Count" in reply
    assert "many-groups" not in _stored_jobs(agent)


# ---- streaming routes ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def logs_alloc(agent: AgentProcess) -> str:
    body = raw_exec_job("logs", args=["-c", "echo hello; sleep 300"])
    body["Job"]["TaskGroups"][0]["Tasks"][0]["LogConfig"] = {"Disabled": True,
                                                             "MaxFiles": 1,
                                                             "MaxFileSizeMB": 1}
    assert _put(agent, body).status_code == 200

    def running() -> str | None:
        allocs = httpx.get(f"{agent.address}/v1/job/logs/allocations", timeout=10).json()
        return next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), None)

    return str(wait_until(running, 60, what="the logs job running"))


@pytest.mark.parametrize(("query", "status", "text"), [
    ({"offset": "-5"}, 400, "offset"),
    ({"offset": str(2**64)}, 400, "offset"),
    ({"origin": "middle"}, 400, "origin must be start or end"),
    ({}, 404, "not found"),  # logging disabled: the file does not exist
])
def test_log_stream_errors_are_answered_before_the_response_starts(
        agent: AgentProcess, logs_alloc: str, query: dict[str, str], status: int,
        text: str) -> None:
    params = urlencode({"task": "main", "type": "stdout", "plain": "true", **query})
    with httpx.stream("GET", f"{agent.address}/v1/client/fs/logs/{logs_alloc}?{params}",
                      timeout=30) as reply:
        body = reply.read().decode()
    assert reply.status_code == status, body
    assert text in body


# ---- slowloris ----------------------------------------------------------------------------


def _closed_by_server(sock: socket.socket) -> bool:
    """True when the server closes the connection (possibly after an error response)."""
    sock.settimeout(30)
    try:
        while sock.recv(4096):
            pass
    except TimeoutError:
        return False
    except (ConnectionResetError, ssl.SSLEOFError):
        pass
    return True


@pytest.mark.parametrize("sent", [b"", b"GET /v1/agent/self HTTP/1.1\r\nHost: x\r\n"],
                         ids=["idle", "half-sent-head"])
def test_cve_2020_7218_idle_and_half_sent_connections_are_closed(agent: AgentProcess,
                                                                 sent: bytes) -> None:
    with socket.create_connection(("127.0.0.1", agent.port)) as sock:
        sock.sendall(sent)
        assert _closed_by_server(sock)
    assert httpx.get(f"{agent.address}/v1/agent/self", timeout=10).status_code == 200


def test_cve_2020_7218_https_connections_have_the_same_deadlines(tmp_path: Path) -> None:
    """The deadlines sit on top of the HTTPS agent's own protocol: a silent TLS connection
    is closed, and routes still see the caller's certificate (a cli one is no node)."""
    pki = make_pki(tmp_path / "pki")
    agent = AgentProcess(root=tmp_path / "agent", name="tls-limits", dev=False, client=False,
                         config=pki.agent_tls("server")
                         + 'server {\n  client_introduction {\n    enforcement = "none"\n  }\n}\n'
                         + 'limits {\n  http_read_header_timeout = "1s"\n}\n',
                         probe_tls=pki.context("cli"))
    try:
        agent.start()
        node = {"ID": random_id(), "SecretID": random_id(), "Name": "n", "Datacenter": "dc1",
                "NodePool": "default", "Status": "ready"}
        register = f"{agent.address}/v1/node/register"
        assert httpx.put(register, json={"Node": node}, verify=pki.context("cli"),
                         timeout=10).status_code == 403
        assert httpx.put(register, json={"Node": node}, verify=pki.context("client"),
                         timeout=10).status_code == 200
        with socket.create_connection(("127.0.0.1", agent.port)) as raw, \
                pki.context("cli").wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            assert _closed_by_server(sock)  # the handshake done, then nothing sent
    finally:
        agent.stop()


def test_an_oversized_request_head_is_refused(agent: AgentProcess) -> None:
    """h11's own bound (16 KiB), kept: a head is never buffered without limit."""
    head = b"GET /v1/agent/self HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 200_000 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", agent.port)) as sock:
        try:
            sock.sendall(head)
        except ConnectionResetError:
            pass  # refused while still sending
        sock.settimeout(30)
        try:
            reply = sock.recv(4096)
        except ConnectionResetError:
            reply = b""
    assert reply == b"" or reply.startswith(b"HTTP/1.1 400"), reply[:200]


def test_cve_2020_7218_connections_per_client_ip_are_capped(tmp_path: Path) -> None:
    """Nomad's `limits { http_max_conns_per_client }`: the next connection gets a 429."""
    agent = AgentProcess(root=tmp_path, name="conns", client=False,
                         config="limits {\n  http_max_conns_per_client = 4\n}\n")
    try:
        agent.start()
        held = [socket.create_connection(("127.0.0.1", agent.port)) for _ in range(4)]
        try:
            refused = httpx.get(f"{agent.address}/v1/agent/self", timeout=10)
            assert refused.status_code == 429, refused.text
            assert "too many concurrent connections" in refused.text
        finally:
            for sock in held:
                sock.close()
        wait_until(lambda: httpx.get(f"{agent.address}/v1/agent/self",
                                     timeout=10).status_code == 200, 30,
                   what="a connection once the others closed")
    finally:
        agent.stop()


def test_a_half_sent_body_is_dropped(agent: AgentProcess) -> None:
    head = (b"PUT /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{\"Job\":")
    with socket.create_connection(("127.0.0.1", agent.port)) as sock:
        sock.sendall(head)
        assert _closed_by_server(sock)


# ---- exec: who asks, before what exists ----------------------------------------------------


@pytest.fixture(scope="module")
def acl_agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AclAgent]:
    agent = AclAgent(root=tmp_path_factory.mktemp("acl"), name="acl", config=ACL_ON)
    try:
        yield agent.start(timeout_s=60)
    finally:
        agent.stop()


def _anonymous_exec(agent: AgentProcess, alloc_id: str) -> tuple[int, str]:
    query = urlencode({"task": "main", "command": '["/bin/true"]', "tty": "false"})
    url = agent.address.replace("http://", "ws://", 1) + \
        f"/v1/client/allocation/{alloc_id}/exec?{query}"
    try:
        with connect(url, open_timeout=10, close_timeout=5) as ws:
            ws.recv(timeout=10)
    except InvalidStatus as e:
        return e.response.status_code, e.response.body.decode(errors="replace").strip()
    except ConnectionClosed as e:  # accepted, then closed with a reason
        return (e.rcvd.code, e.rcvd.reason) if e.rcvd is not None else (0, "")
    raise AssertionError("the anonymous exec was accepted")


def test_cve_2023_1782_anonymous_exec_is_refused_before_the_alloc_is_looked_up(
        acl_agent: AclAgent) -> None:
    """A stranger learns nothing: a known and an unknown allocation are refused alike."""
    with acl_agent.http(acl_agent.root_secret) as root:
        _register(root, "web")
        known = _running_alloc(root, "web", "default")
    assert _anonymous_exec(acl_agent, known) == (403, "Permission denied")
    assert _anonymous_exec(acl_agent, random_id()) == (403, "Permission denied")
    assert _anonymous_exec(acl_agent, "0" * 8) == (403, "Permission denied")


# ---- a job stored before the bound --------------------------------------------------------


def _store_job_with_count(data_dir: Path, count: int) -> str:
    """Write a job and its pending evaluation straight into a server's state, as a server
    without the submit-time bound would have stored them."""
    store = StateStore(SqliteBackend(data_dir / "server" / "state.db"))
    try:
        job = canonicalize(Job.model_validate(raw_exec_job("stored-huge", count=count)["Job"]))
        txn = store.begin(time.time_ns())
        txn.jobs.append(job)
        ev = Evaluation(id=random_id(), namespace="default", job_id=job.id, type=job.type,
                        triggered_by="job-register", status="pending")
        txn.evals.append(ev)
        store.commit(txn)
        return ev.id
    finally:
        store.close()


def test_a_stored_job_with_count_2_63_fails_its_evaluation_and_the_agent_still_stops(
        tmp_path: Path) -> None:
    agent = AgentProcess(root=tmp_path, name="stored")
    eval_id = _store_job_with_count(agent.data_dir, 2**63)
    try:
        agent.start()

        def evaluation() -> dict[str, Any] | None:
            ev = httpx.get(f"{agent.address}/v1/evaluation/{eval_id}", timeout=10).json()
            return ev if ev["Status"] != "pending" else None

        ev = wait_until(evaluation, 60, what="the stored evaluation to be processed")
        assert ev["Status"] == "failed"
        assert "job_max_count" in ev["StatusDescription"]
        purge = httpx.delete(f"{agent.address}/v1/job/stored-huge?purge=true", timeout=30)
        assert purge.status_code == 200, purge.text
        assert agent.proc is not None
        agent.proc.send_signal(signal.SIGINT)
        assert agent.proc.wait(timeout=60) == 0
    finally:
        agent.stop()
