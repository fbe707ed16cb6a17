"""The state store on a full filesystem: a typed error naming the cause, nothing changed,
nothing lost, and writes work again as soon as space is freed (real SQLite on a real tmpfs)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from caravan.errors import StorageFull, WriteFailed
from caravan.server.state import SqliteBackend, StateStore
from caravan.structs import Evaluation, Job, Task, TaskGroup, canonicalize
from tests.crash.server_disk import fill, small_tmpfs


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    with small_tmpfs(tmp_path / "data", size_mb=2) as mounted:
        yield mounted


def _job(job_id: str) -> Job:
    return canonicalize(Job(id=job_id, task_groups=[
        TaskGroup(name="g", tasks=[Task(name="t", driver="raw_exec")])]))


def _register(store: StateStore, job_id: str) -> int:
    txn = store.begin(now_ns=1)
    txn.jobs.append(_job(job_id))
    # A large eval description grows the write beyond any slack left in the WAL.
    txn.evals.append(Evaluation(id=f"eval-{job_id}", job_id=job_id,
                                status_description="x" * 200_000))
    return store.commit(txn)


def test_a_full_disk_fails_the_write_and_changes_nothing(data_dir: Path) -> None:
    store = StateStore(SqliteBackend(data_dir / "state.db"))
    assert _register(store, "before") == 1
    filler = fill(data_dir / "filler")

    with pytest.raises(StorageFull) as failed:
        _register(store, "during")
    assert isinstance(failed.value, WriteFailed) and failed.value.status == 507
    assert "database or disk is full" in failed.value.message
    assert failed.value.hint is not None and "free" in failed.value.hint
    # Memory is exactly what the database holds: the failed write left no trace.
    assert store.index == 1
    assert store.job("default", "during") is None and store.eval("eval-during") is None
    assert [j.id for j in store.jobs()] == ["before"]

    filler.unlink()
    assert _register(store, "after") == 2, "writes must work again once space is freed"
    store.close()

    reopened = StateStore(SqliteBackend(data_dir / "state.db"))
    assert reopened.index == 2
    assert [j.id for j in reopened.jobs()] == ["after", "before"]
    assert reopened.eval("eval-during") is None
    reopened.close()
    with sqlite3.connect(data_dir / "state.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
