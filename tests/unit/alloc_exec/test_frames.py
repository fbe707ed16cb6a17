"""Exec WebSocket frames, both ends (caravan.execproto.frames: the agent's side and the
client library's), and the route's query (http.alloc_exec.route)."""

from __future__ import annotations

import base64
import json

import pytest
from starlette.datastructures import QueryParams

from caravan.api.exec import ExecError, ExecOutput, decode_output
from caravan.errors import CaravanError, InvalidInput
from caravan.execproto.frames import (
    StdinClose,
    StdinData,
    TerminalSize,
    decode_input,
    exit_frame,
    output_frame,
    stdin_frame,
)
from caravan.http.alloc_exec.route import parse_query

BLOB = bytes(range(256)) * 3


def test_output_frames_are_nomads_json() -> None:
    assert json.loads(output_frame("stdout", b"hi\n")) == {
        "stdout": {"data": base64.b64encode(b"hi\n").decode()}}
    assert json.loads(output_frame("stderr", BLOB)) == {
        "stderr": {"data": base64.b64encode(BLOB).decode()}}
    assert json.loads(output_frame("stdout", b"")) == {"stdout": {"close": True}}


def test_exit_frames_omit_a_zero_code() -> None:
    assert json.loads(exit_frame(0)) == {"exited": True, "result": {}}
    assert json.loads(exit_frame(137)) == {"exited": True, "result": {"exit_code": 137}}


def test_client_frames_decode_to_inputs() -> None:
    data = base64.b64encode(BLOB).decode()
    assert decode_input(json.dumps({"stdin": {"data": data}})) == StdinData(BLOB)
    assert decode_input('{"stdin":{"close":true}}') == StdinClose()
    assert decode_input('{"tty_size":{"height":40,"width":120}}') == TerminalSize(40, 120)
    assert decode_input("{}") is None


@pytest.mark.parametrize("bad", ["not json", '{"stdin":{"data":"***"}}', "[1]",
                                 '{"tty_size":{"height":"x"}}'])
def test_undecodable_client_frames_are_errors(bad: str) -> None:
    with pytest.raises(CaravanError, match="failed to decode an exec frame"):
        decode_input(bad)


def test_binary_subprotocol_frames() -> None:
    assert output_frame("stdout", BLOB, binary=True) == b"\x01" + BLOB
    assert output_frame("stderr", b"e", binary=True) == b"\x02e"
    assert decode_input(b"\x00" + BLOB) == StdinData(BLOB)
    assert stdin_frame(BLOB, binary=True) == b"\x00" + BLOB
    assert decode_output(b"\x02" + BLOB, binary=True) == ExecOutput("stderr", BLOB)
    with pytest.raises(CaravanError):
        decode_input(b"\x01nope")


def test_agent_frames_round_trip_through_the_client_decoder() -> None:
    for stream in ("stdout", "stderr"):
        assert decode_output(output_frame(stream, BLOB)) == ExecOutput(stream, BLOB)
    assert decode_output(output_frame("stdout", b"")) is None
    assert decode_output(exit_frame(0)) == 0
    assert decode_output(exit_frame(43)) == 43
    assert decode_output("{}") is None


def test_client_decoder_reads_frames_laid_out_differently() -> None:
    spaced = '{ "stdout" : { "data" : "%s" } }' % base64.b64encode(b"x").decode()
    assert decode_output(spaced) == ExecOutput("stdout", b"x")
    assert decode_output('{"exited":true,"result":{"exit_code":2}}', binary=True) == 2
    with pytest.raises(ExecError):
        decode_output("garbage")


def test_stdin_frames_decode_on_the_agent() -> None:
    assert decode_input(stdin_frame(BLOB, binary=False)) == StdinData(BLOB)


def test_query_is_read_as_nomads_agent_does() -> None:
    q = parse_query(QueryParams({"task": "web", "command": '["/bin/sh","-c","echo hi"]',
                                 "tty": "true"}))
    assert (q.task, q.command, q.tty) == ("web", ["/bin/sh", "-c", "echo hi"], True)
    assert parse_query(QueryParams({"command": "[]"})).tty is False
    with pytest.raises(CaravanError, match="failed to marshal command into json"):
        parse_query(QueryParams({"task": "web"}))
    with pytest.raises(CaravanError, match="failed to marshal command into json"):
        parse_query(QueryParams({"command": '{"a":1}'}))
    with pytest.raises(InvalidInput, match="tty value is not a boolean"):
        parse_query(QueryParams({"command": '["ls"]', "tty": "yes"}))
