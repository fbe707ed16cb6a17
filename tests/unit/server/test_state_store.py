"""The state store: durable commits, secondary indexes, atomic failure, watches."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.server.state import SqliteBackend, StateStore
from caravan.server.state.backend import Change
from caravan.structs import Allocation, Evaluation, Job, Node, Task, TaskGroup, canonicalize


def _job(job_id: str = "web", version: int = 0) -> Job:
    job = Job(id=job_id, version=version,
              task_groups=[TaskGroup(name="g", tasks=[Task(name="t", driver="raw_exec")])])
    return canonicalize(job)


def _store(path: Path) -> StateStore:
    return StateStore(SqliteBackend(path / "state.db"))


def test_commit_survives_reopen_with_indexes(tmp_path: Path) -> None:
    store = _store(tmp_path)
    txn = store.begin(now_ns=123)
    job = _job()
    txn.jobs.append(job)
    txn.allocs.append(Allocation(id="a1", job_id="web", job=job, node_id="n1"))
    txn.evals.append(Evaluation(id="e1", job_id="web"))
    txn.nodes.append(Node(id="n1", name="node1"))
    txn.node_secrets["n1"] = "s3cret"
    assert store.commit(txn) == 1
    txn = store.begin(now_ns=456)
    txn.jobs.append(_job(version=1))
    assert store.commit(txn) == 2
    store.close()

    reopened = _store(tmp_path)
    assert reopened.index == 2
    stored = reopened.job("default", "web")
    assert stored is not None and stored.version == 1
    assert (stored.create_index, stored.modify_index) == (1, 2)
    assert [j.version for j in reopened.job_versions("default", "web")] == [1, 0]
    alloc = reopened.alloc("a1")
    assert alloc is not None and alloc.job is not None
    assert alloc.job.version == 0 and alloc.job.task_groups[0].tasks[0].driver == "raw_exec"
    assert alloc.create_time == 123
    assert [a.id for a in reopened.allocs_by_node("n1")] == ["a1"]
    assert [e.id for e in reopened.evals_by_job("default", "web")] == ["e1"]
    assert reopened.node_secret_matches("n1", "s3cret")
    assert not reopened.node_secret_matches("n1", "guess")


def test_secrets_are_not_stored_in_clear(tmp_path: Path) -> None:
    store = _store(tmp_path)
    txn = store.begin(now_ns=1)
    txn.nodes.append(Node(id="n1"))
    txn.node_secrets["n1"] = "very-secret-value"
    store.commit(txn)
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert b"very-secret-value" not in raw


def test_failed_backend_commit_changes_nothing(tmp_path: Path) -> None:
    class Failing(SqliteBackend):
        def commit(self, change: Change) -> None:
            raise OSError("disk full")

    store = StateStore(Failing(tmp_path / "state.db"))
    txn = store.begin(now_ns=1)
    txn.jobs.append(_job())
    with pytest.raises(OSError):
        store.commit(txn)
    assert store.index == 0
    assert store.job("default", "web") is None


def test_node_move_updates_node_index(tmp_path: Path) -> None:
    store = _store(tmp_path)
    txn = store.begin(now_ns=1)
    txn.allocs.append(Allocation(id="a1", job_id="web", node_id="n1"))
    store.commit(txn)
    txn = store.begin(now_ns=2)
    txn.allocs.append(Allocation(id="a1", job_id="web", node_id="n2"))
    store.commit(txn)
    assert store.allocs_by_node("n1") == []
    assert [a.id for a in store.allocs_by_node("n2")] == ["a1"]


def test_snapshot_is_isolated_from_later_commits(tmp_path: Path) -> None:
    store = _store(tmp_path)
    txn = store.begin(now_ns=1)
    txn.allocs.append(Allocation(id="a1", job_id="web", node_id="n1"))
    store.commit(txn)
    snap = store.snapshot()
    txn = store.begin(now_ns=2)
    txn.allocs.append(Allocation(id="a2", job_id="web", node_id="n1"))
    store.commit(txn)
    assert [a.id for a in snap.allocs_by_node("n1")] == ["a1"]
    assert len(store.allocs_by_node("n1")) == 2


def test_blocking_wait_wakes_on_change_of_watched_table(tmp_path: Path) -> None:
    store = _store(tmp_path)

    async def scenario() -> tuple[int, int]:
        start = store.table_index("jobs")
        waiter = asyncio.create_task(store.wait_for_change(["jobs"], start, 5.0))
        await asyncio.sleep(0.05)
        txn = store.begin(now_ns=1)  # a change to another table must not wake the waiter
        txn.nodes.append(Node(id="n1"))
        store.commit(txn)
        await asyncio.sleep(0.05)
        assert not waiter.done()
        txn = store.begin(now_ns=2)
        txn.jobs.append(_job())
        committed = store.commit(txn)
        return await asyncio.wait_for(waiter, 2.0), committed

    woke_at, committed = asyncio.run(scenario())
    assert woke_at == committed


def test_blocking_wait_times_out_with_current_index(tmp_path: Path) -> None:
    store = _store(tmp_path)
    result = asyncio.run(store.wait_for_change(["jobs"], 1, 0.05))
    assert result == 1  # floored at 1, as Nomad does for empty tables
