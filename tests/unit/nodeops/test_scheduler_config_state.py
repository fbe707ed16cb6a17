"""The scheduler configuration row: Nomad's defaults until set, kept across a reopen,
replayed by a follower, and read by schedulers from their snapshot."""

from __future__ import annotations

from pathlib import Path

from caravan.server.state import SqliteBackend, StateStore
from caravan.server.state.replay import apply_change
from caravan.structs.operator import SchedulerConfiguration


def _store(path: Path) -> StateStore:
    return StateStore(SqliteBackend(path / "state.db"))


def test_defaults_then_kept_across_a_reopen(tmp_path: Path) -> None:
    store = _store(tmp_path)
    assert store.scheduler_config.get() == SchedulerConfiguration()
    txn = store.begin(now_ns=1)
    txn.scheduler_config = SchedulerConfiguration(memory_oversubscription_enabled=True)
    index = store.commit(txn)
    store.close()
    again = _store(tmp_path)
    got = again.scheduler_config.get()
    assert (got.memory_oversubscription_enabled, got.create_index, got.modify_index) == (
        True, index, index)
    assert again.snapshot().scheduler_config().memory_oversubscription_enabled is True


def test_a_follower_replays_the_row(tmp_path: Path) -> None:
    leader, follower = _store(tmp_path / "l"), _store(tmp_path / "f")
    txn = leader.begin(now_ns=1)
    txn.scheduler_config = SchedulerConfiguration(pause_eval_broker=True)
    leader.commit(txn)
    touched = apply_change(follower, leader._change_of(txn))
    assert "scheduler_config" in touched
    assert follower.scheduler_config.get().pause_eval_broker is True
