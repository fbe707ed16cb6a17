"""The Variables endpoint over a real SQLite store: rows hold only ciphertext, a
tampered or moved row is an error and never someone else's secret, check-and-set
follows Nomad's state store, and a restart reads what the keyring encrypted."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from caravan.errors import InvalidInput
from caravan.ids import random_id
from caravan.server.core import ServerCore
from caravan.server.eval_broker import EvalBroker
from caravan.server.keyring_files import DirKeyStore, MemoryKeyStore
from caravan.server.keyring import DecryptFailed, Keyring
from caravan.server.state import SqliteBackend, StateStore
from caravan.server.variables import CasConflict, VariablesEndpoint
from caravan.structs.variables import Variable


class Clock:
    def __init__(self) -> None:
        self.ns = 1_700_000_000_000_000_000

    def now_ns(self) -> int:
        self.ns += 1_000
        return self.ns


def _endpoint(tmp_path: Path) -> VariablesEndpoint:
    clock = Clock()
    store = StateStore(SqliteBackend(tmp_path / "state.db"))
    core = ServerCore(store=store, broker=EvalBroker(), clock=clock, new_id=random_id)
    return VariablesEndpoint(core, Keyring(DirKeyStore(tmp_path / "keyring"), clock.now_ns))


def _rows(tmp_path: Path) -> dict[str, str]:
    with sqlite3.connect(tmp_path / "state.db") as db:
        return dict(db.execute("SELECT key, value FROM rows WHERE tbl = 'variables'"))


def _put(ep: VariablesEndpoint, path: str, cas: int | None = None, **items: str) -> Variable:
    return ep.put(Variable(namespace="default", path=path, items=items), cas)


def test_rows_hold_ciphertext_and_survive_a_restart(tmp_path: Path) -> None:
    ep = _endpoint(tmp_path)
    written = _put(ep, "app/db", password="hunter2-marker")
    rows = _rows(tmp_path)
    assert "hunter2-marker" not in json.dumps(rows)
    assert json.loads(rows["default\x00app/db"])["KeyID"] == ep.keyring.active().key_id
    ep._core.store.close()
    again = _endpoint(tmp_path)
    assert again.read("default", "app/db") == written


def test_a_tampered_or_moved_row_fails_to_decrypt(tmp_path: Path) -> None:
    ep = _endpoint(tmp_path)
    _put(ep, "mine", v="secret-a")
    _put(ep, "theirs", v="secret-b")
    ep._core.store.close()
    with sqlite3.connect(tmp_path / "state.db") as db:
        row = json.loads(db.execute("SELECT value FROM rows WHERE key = ?",
                                    ("default\x00theirs",)).fetchone()[0])
        moved = dict(row, Path="mine")  # their ciphertext under my path
        db.execute("UPDATE rows SET value = ? WHERE key = ?",
                   (json.dumps(moved), "default\x00mine"))
        data = bytearray(row["Data"].encode())
        data[-3] = ord("A") if data[-3] != ord("A") else ord("B")  # flip base64 bits
        db.execute("UPDATE rows SET value = ? WHERE key = ?",
                   (json.dumps(dict(row, Data=data.decode())), "default\x00theirs"))
    again = _endpoint(tmp_path)
    with pytest.raises(DecryptFailed):
        again.read("default", "mine")
    with pytest.raises(DecryptFailed, match="tampered"):
        again.read("default", "theirs")


def test_check_and_set_as_nomads_state_store(tmp_path: Path) -> None:
    ep = _endpoint(tmp_path)
    first = _put(ep, "x", cas=0, v="1")
    with pytest.raises(CasConflict) as exists:
        _put(ep, "x", cas=0, v="2")
    assert exists.value.conflict.items == {"v": "1"}
    with pytest.raises(CasConflict) as missing:
        _put(ep, "y", cas=5, v="1")
    assert missing.value.conflict.modify_index == 0
    second = _put(ep, "x", cas=first.modify_index, v="3")
    assert second.create_index == first.create_index < second.modify_index
    with pytest.raises(CasConflict):
        ep.delete("default", "x", first.modify_index)
    ep.delete("default", "x", second.modify_index)
    assert ep.read("default", "x") is None


@pytest.mark.parametrize(("path", "items", "message"), [
    ("a b", {"k": "v"}, 'invalid path "a b"'), ("nomad", {"k": "v"}, "reserved"),
    ("nomad/jobs/x", {}, "empty variables"), ("ok", {"k": "v" * 70_000}, "64KiB"),
    ("x" * 129, {"k": "v"}, "invalid path")])
def test_bad_variables_are_refused_and_nothing_is_written(
        tmp_path: Path, path: str, items: dict[str, str], message: str) -> None:
    ep = _endpoint(tmp_path)
    with pytest.raises(InvalidInput, match=message):
        ep.put(Variable(namespace="default", path=path, items=items), None)
    assert _rows(tmp_path) == {}
