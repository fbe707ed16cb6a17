"""The client library's pure parts: configuration, error text, log frame decoding,
and an honest `__all__` (tests for `caravan.api`, kept beside its main user)."""

from __future__ import annotations

import base64
import json

import pytest

import caravan.api as api
from caravan.api import APIConnectionError, APIError, Client, FrameDecoder, LogFrame


def test_public_surface_is_exported() -> None:
    public = {name for name in dir(api) if not name.startswith("_")} - {
        "acl", "agent", "allocations", "client", "errors", "evaluations", "exec", "fs", "jobs",
        "models", "port_forward",
        "namespaces", "nodes", "query"}
    assert public == set(api.__all__)
    for name in api.__all__:
        assert name.isupper() or getattr(api, name).__module__.startswith("caravan.api")


def test_address_token_namespace_resolution_order() -> None:
    env = {"CARAVAN_ADDR": "http://a:1", "NOMAD_ADDR": "http://b:2", "NOMAD_TOKEN": "t2",
           "NOMAD_NAMESPACE": "ns2", "CARAVAN_NAMESPACE": "ns1"}
    client = Client(env=env)
    assert (client.address, client.token, client.namespace) == ("http://a:1", "t2", "ns1")
    assert Client(env={"NOMAD_ADDR": "http://b:2/"}).address == "http://b:2"
    assert Client(env={}).address == "http://127.0.0.1:4646"
    assert Client("10.0.0.1:4646", env=env).address == "http://10.0.0.1:4646"
    assert Client(token="mine", env={"CARAVAN_TOKEN": "env"}).token == "mine"


def test_api_error_text_is_nomads() -> None:
    err = APIError(404, "job not found\n")
    assert str(err) == "Unexpected response code: 404 (job not found)"
    assert (err.status, err.body) == (404, "job not found")


def test_connection_error_names_the_address() -> None:
    err = APIConnectionError("http://127.0.0.1:4646", "connection refused")
    assert str(err) == "connection refused: is an agent running at http://127.0.0.1:4646?"


def frame(data: bytes, offset: int = 0, file: str = "alloc/logs/web.stdout.0") -> bytes:
    return json.dumps({"Offset": offset, "Data": base64.b64encode(data).decode(),
                       "File": file}).encode()


def test_frames_split_across_chunks_and_heartbeats() -> None:
    stream = frame(b"hello\n") + b"{}" + frame("héllo\n".encode(), 6)
    decoder = FrameDecoder()
    frames: list[LogFrame] = []
    for i in range(0, len(stream), 7):  # chunk boundaries inside frames and characters
        frames += decoder.feed(stream[i:i + 7])
    decoder.close()
    assert [f.data for f in frames] == [b"hello\n", b"", "héllo\n".encode()]
    assert frames[1].heartbeat and not frames[0].heartbeat
    assert frames[2].offset == 6 and frames[2].file == "alloc/logs/web.stdout.0"


def test_file_events_are_kept() -> None:
    frames = FrameDecoder().feed(b'{"File":"alloc/logs/web.stdout.0","FileEvent":"file deleted"}')
    assert frames == [LogFrame(file="alloc/logs/web.stdout.0", file_event="file deleted")]
    assert not frames[0].heartbeat


def test_truncated_stream_is_an_error() -> None:
    decoder = FrameDecoder()
    assert decoder.feed(b'{"Offset": 1, "Da') == []
    with pytest.raises(ValueError, match="truncated log frame"):
        decoder.close()


def test_agent_self_node_id() -> None:
    info = api.AgentSelf.model_validate(
        {"config": {"Region": "global"}, "member": {"Name": "n1"},
         "stats": {"client": {"node_id": "abc"}}})
    assert info.node_id() == "abc" and info.member.name == "n1"
    assert api.AgentSelf.model_validate({"stats": {}}).node_id() is None
