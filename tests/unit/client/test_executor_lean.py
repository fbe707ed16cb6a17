"""The executor's lean stand-ins (executor/lean.py) agree with the modules they replace."""

from __future__ import annotations

import json
import math
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caravan.client.drivers.executor import lean

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=20)


@given(_json_values)
def test_dumps_and_loads_agree_with_json(value: Any) -> None:
    assert lean.dumps(value) == json.dumps(value)
    assert lean.loads(json.dumps(value)) == value
    assert lean.loads(json.dumps(value).encode()) == value


def test_loads_takes_surrounding_whitespace_and_json_constants() -> None:
    assert lean.loads(' \n{"a": [1, 2.5, "x"]}\r\n') == {"a": [1, 2.5, "x"]}
    assert math.isinf(lean.loads("-Infinity"))


@pytest.mark.parametrize("text", ["", "{", '{"a": 1} x', "[1,]", "nope", '{"a" 1}'])
def test_loads_refuses_what_json_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        json.loads(text)
    with pytest.raises(ValueError):
        lean.loads(text)


def test_dumps_refuses_what_json_cannot_encode() -> None:
    with pytest.raises(TypeError, match="set is not JSON serializable"):
        lean.dumps({"a": {1}})


def test_flag_waits_times_out_and_wakes_every_waiter() -> None:
    flag = lean.Flag()
    assert not flag.is_set() and not flag.wait(0.01)
    woken: list[bool] = []
    waiters = [threading.Thread(target=lambda: woken.append(flag.wait())) for _ in range(3)]
    for t in waiters:
        t.start()
    flag.set()
    flag.set()  # a second set is harmless
    for t in waiters:
        t.join(10)
    assert woken == [True, True, True] and flag.is_set() and flag.wait(0)


def test_start_thread_flags_its_end() -> None:
    seen: list[int] = []
    assert lean.start_thread(seen.append, 7).wait(10)
    assert seen == [7]


def test_lines_over_a_unix_socket(tmp_path: Path) -> None:
    path = str(tmp_path / "s.sock")
    listener = lean.Socket(lean.AF_UNIX, lean.SOCK_STREAM)
    listener.bind(path)
    listener.listen(1)
    client = lean.connect_unix(path)
    conn = lean.accept(listener)
    client.sendall(b'{"op": "state"}\n{"op"')
    client.sendall(b': "wait"}\npartial')
    client.shutdown(socket.SHUT_WR)
    assert [lean.loads(line) for line in lean.read_lines(conn)] == [
        {"op": "state"}, {"op": "wait"}]
    for s in (conn, client, listener):
        s.close()
    with pytest.raises(FileNotFoundError):
        lean.connect_unix(str(tmp_path / "absent.sock"))


def test_write_file_atomic_replaces_the_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "state.json"
    target.write_text("old and longer")
    lean.write_file_atomic(str(target), '{"a": 1}')
    assert target.read_text() == '{"a": 1}'
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]
