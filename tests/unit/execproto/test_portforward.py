"""The port-forward vocabulary: remote ports, the eof frame, and `[LOCAL:]REMOTE`."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caravan.cli.alloc_port_forward import PortSpec, parse_spec
from caravan.errors import CaravanError, InvalidInput, UsageError
from caravan.execproto.portforward import EOF_FRAME, is_eof, parse_remote


@pytest.mark.parametrize("text, port", [("1", 1), ("80", 80), ("65535", 65535),
                                        ("http", "http"), ("_a-b9", "_a-b9")])
def test_remote_ports_that_are_taken(text: str, port: int | str) -> None:
    assert parse_remote(text) == port


@pytest.mark.parametrize("text", ["", "0", "65536", "-1", "9http", "a b", "../x", "²",
                                  "h\u00e9", "a/b", " 80"])
def test_remote_ports_that_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput):
        parse_remote(text)


@given(st.text(max_size=12))
def test_any_text_is_a_port_a_label_or_a_400(text: str) -> None:
    try:
        parsed = parse_remote(text)
    except CaravanError as err:
        assert err.status == 400
    else:
        assert (isinstance(parsed, int) and 1 <= parsed <= 65535) or parsed == text


def test_only_the_eof_frame_is_text() -> None:
    assert is_eof(EOF_FRAME)
    for other in ('{"eof":false}', "{}", "eof", '{"stdin":{}}'):
        with pytest.raises(InvalidInput):
            is_eof(other)


@pytest.mark.parametrize("text, spec", [
    ("8080:80", PortSpec(8080, 80)), ("80", PortSpec(80, 80)), (":80", PortSpec(0, 80)),
    ("http", PortSpec(0, "http")), ("9000:http", PortSpec(9000, "http")),
    ("0:80", PortSpec(0, 80))])
def test_local_and_remote_as_kubectl_reads_them(text: str, spec: PortSpec) -> None:
    assert parse_spec(text) == spec


@pytest.mark.parametrize("text", ["70000", "x:80", "65536:80", "80:", "1:2:3"])
def test_bad_specifications_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="invalid port specification"):
        parse_spec(text)
