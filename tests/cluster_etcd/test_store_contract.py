"""One contract for every state backend: SQLite (one server) and etcd (several).

Each test gets a fresh store on fresh storage (a new SQLite file, a new etcd key
prefix) and may reopen it to see what survived, as an agent restart would.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from caravan.config.etcd import EtcdConfig
from caravan.server.state import SqliteBackend, StateStore
from caravan.server.state.backend import Backend
from caravan.server.state.etcd import EtcdBackend
from caravan.structs import Allocation, Evaluation, Job, Node, Task, TaskGroup, canonicalize
from caravan.structs.acl import ACLPolicy, Namespace
from tests.etcd_server import EtcdProcess

_prefixes = itertools.count()
Opener = Callable[[], StateStore]


@pytest.fixture(params=["sqlite", "etcd"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Opener]:
    """Opens a store on this test's storage; every store opened is closed afterwards."""
    backends: list[Backend] = []
    if request.param == "etcd":
        server: EtcdProcess = request.getfixturevalue("etcd")
        config = EtcdConfig(endpoints=[server.endpoint], key_prefix=f"c{next(_prefixes)}/")

        def make() -> Backend:
            return EtcdBackend(config)
    else:
        def make() -> Backend:
            return SqliteBackend(tmp_path / "state.db")

    def opener() -> StateStore:
        backend = make()
        backends.append(backend)
        return StateStore(backend)

    yield opener
    for backend in backends:
        backend.close()


def _job(job_id: str = "web", version: int = 0) -> Job:
    job = Job(id=job_id, version=version,
              task_groups=[TaskGroup(name="g", tasks=[Task(name="t", driver="raw_exec")])])
    return canonicalize(job)


def test_a_new_store_is_empty_at_index_zero(open_store: Opener) -> None:
    store = open_store()
    assert store.index == 0
    assert store.jobs() == [] and store.allocs() == [] and store.nodes() == []


def test_commits_survive_reopen_with_their_indexes(open_store: Opener) -> None:
    store = open_store()
    txn = store.begin(now_ns=123)
    job = _job()
    txn.jobs.append(job)
    txn.allocs.append(Allocation(id="a1", job_id="web", job=job, node_id="n1"))
    txn.evals.append(Evaluation(id="e1", job_id="web"))
    txn.nodes.append(Node(id="n1", name="node1"))
    txn.node_secrets["n1"] = "s3cret"
    txn.acl.policies["ops"] = ACLPolicy(name="ops", rules='namespace "*" {}')
    txn.acl.namespaces["prod"] = Namespace(name="prod")
    assert store.commit(txn) == 1
    txn = store.begin(now_ns=456)
    txn.jobs.append(_job(version=1))
    assert store.commit(txn) == 2

    reopened = open_store()
    assert reopened.index == 2
    stored = reopened.job("default", "web")
    assert stored is not None and stored.version == 1
    assert (stored.create_index, stored.modify_index) == (1, 2)
    assert [j.version for j in reopened.job_versions("default", "web")] == [1, 0]
    alloc = reopened.alloc("a1")
    assert alloc is not None and alloc.job is not None and alloc.job.version == 0
    assert alloc.create_time == 123
    assert [a.id for a in reopened.allocs_by_node("n1")] == ["a1"]
    assert [e.id for e in reopened.evals_by_job("default", "web")] == ["e1"]
    assert reopened.node_secret_matches("n1", "s3cret")
    assert not reopened.node_secret_matches("n1", "guess")
    assert reopened.acl.policy("ops") is not None
    assert reopened.acl.namespace("prod") is not None


def test_deletes_survive_reopen(open_store: Opener) -> None:
    store = open_store()
    txn = store.begin(now_ns=1)
    txn.jobs.append(_job())
    txn.acl.policies["ops"] = ACLPolicy(name="ops", rules="")
    store.commit(txn)
    txn = store.begin(now_ns=2)
    txn.job_deletes.append(("default", "web"))
    txn.acl.policies["ops"] = None
    store.commit(txn)

    reopened = open_store()
    assert reopened.index == 2
    assert reopened.job("default", "web") is None
    assert reopened.job_versions("default", "web") == []
    assert reopened.acl.policy("ops") is None


def test_one_commit_of_many_rows_is_kept_whole(open_store: Opener) -> None:
    store = open_store()
    txn = store.begin(now_ns=1)
    job = _job()
    txn.jobs.append(job)
    txn.allocs.extend(Allocation(id=f"a{n:03d}", job_id="web", job=job, node_id=f"n{n % 7}")
                      for n in range(600))
    store.commit(txn)

    reopened = open_store()
    allocs = reopened.allocs_by_job("default", "web")
    assert sorted(a.id for a in allocs) == [f"a{n:03d}" for n in range(600)]
    assert {a.modify_index for a in allocs} == {1}


def test_the_index_only_rises_and_tables_keep_their_own(open_store: Opener) -> None:
    store = open_store()
    seen = []
    for n in range(5):
        txn = store.begin(now_ns=n)
        txn.nodes.append(Node(id=f"n{n}"))
        seen.append(store.commit(txn))
    txn = store.begin(now_ns=9)
    txn.jobs.append(_job())
    seen.append(store.commit(txn))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    reopened = open_store()
    assert reopened.index == seen[-1]
    # After a reopen every table's index is the store's (as Nomad's after a restore).
    assert reopened.table_index("nodes") == seen[-1]


def test_a_blocking_wait_wakes_on_a_commit(open_store: Opener) -> None:
    store = open_store()

    txn = store.begin(now_ns=1)
    txn.jobs.append(_job("first"))
    store.commit(txn)

    async def scenario() -> int:
        waiter = asyncio.ensure_future(store.wait_for_change(("jobs",), 1, 30.0))
        await asyncio.sleep(0)
        assert not waiter.done()
        txn = store.begin(now_ns=2)
        txn.jobs.append(_job())
        store.commit(txn)
        return await waiter

    assert asyncio.run(scenario()) == 2
