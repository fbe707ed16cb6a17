"""What only a shared backend does: other servers' commits reach this server's memory
through the etcd watch, and a server that missed a write cannot commit over it."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from caravan.config.etcd import EtcdConfig
from caravan.errors import InvalidInput, WriteFailed
from caravan.server.state import StateStore
from caravan.server.state.etcd import EtcdBackend
from caravan.structs import Allocation, Job, Node, Task, TaskGroup, canonicalize
from caravan.server.state.variable_table import variable_key
from caravan.structs.acl import ACLPolicy
from caravan.tls.certs import CertRequest, create_ca, create_cert
from caravan.structs.variables import EncryptedVariable
from tests.agents import free_port
from tests.etcd_server import EtcdProcess

_prefixes = itertools.count()


@pytest.fixture
def config(etcd: EtcdProcess) -> EtcdConfig:
    return EtcdConfig(endpoints=[etcd.endpoint], key_prefix=f"b{next(_prefixes)}/")


@pytest.fixture
def two(config: EtcdConfig) -> Iterator[tuple[StateStore, StateStore]]:
    a, b = EtcdBackend(config), EtcdBackend(config)
    try:
        yield StateStore(a), StateStore(b)
    finally:
        a.close()
        b.close()


def _job(job_id: str = "web") -> Job:
    return canonicalize(Job(id=job_id, task_groups=[
        TaskGroup(name="g", tasks=[Task(name="t", driver="raw_exec")])]))


async def _until(check: Callable[[], bool]) -> None:
    async with asyncio.timeout(20):
        while not check():
            await asyncio.sleep(0.01)


def test_a_follower_sees_the_leaders_commits_and_its_blocking_query_wakes(
        two: tuple[StateStore, StateStore]) -> None:
    leader, follower = two

    async def scenario() -> None:
        follower._backend.follow(follower.apply_remote)  # type: ignore[attr-defined]
        txn = leader.begin(now_ns=1)
        txn.nodes.append(Node(id="n1"))
        leader.commit(txn)
        await _until(lambda: follower.index == 1)
        waiter = asyncio.ensure_future(follower.wait_for_change(("allocs",), 1, 30.0))
        await asyncio.sleep(0.05)
        assert not waiter.done()
        txn = leader.begin(now_ns=2)
        job = _job()
        txn.jobs.append(job)
        txn.allocs.append(Allocation(id="a1", job_id="web", job=job, node_id="n1"))
        txn.acl.policies["ops"] = ACLPolicy(name="ops", rules="")
        txn.variables[variable_key("default", "app/db")] = EncryptedVariable(
            namespace="default", path="app/db", key_id="k1", data=b"\x00sealed")
        leader.commit(txn)
        assert await waiter == 2
        alloc = follower.alloc("a1")
        assert alloc is not None and alloc.job is not None and alloc.job.id == "web"
        assert [a.id for a in follower.allocs_by_node("n1")] == ["a1"]
        assert follower.acl.policy("ops") is not None
        var = follower.variables.get("default", "app/db")
        assert var is not None and var.data == b"\x00sealed" and var.modify_index == 2
        txn = leader.begin(now_ns=3)
        txn.job_deletes.append(("default", "web"))
        txn.acl.policies["ops"] = None
        txn.variables[variable_key("default", "app/db")] = None
        leader.commit(txn)
        await _until(lambda: follower.index == 3)
        assert follower.job("default", "web") is None and follower.acl.policy("ops") is None
        assert follower.variables.get("default", "app/db") is None

    asyncio.run(scenario())


def test_a_follower_caught_up_by_the_watch_can_take_over_writing(
        two: tuple[StateStore, StateStore]) -> None:
    old, new = two

    async def scenario() -> None:
        new._backend.follow(new.apply_remote)  # type: ignore[attr-defined]
        txn = old.begin(now_ns=1)
        txn.nodes.append(Node(id="n1"))
        old.commit(txn)
        await _until(lambda: new.index == 1)
        txn = new.begin(now_ns=2)
        txn.nodes.append(Node(id="n2"))
        assert new.commit(txn) == 2

    asyncio.run(scenario())


def test_a_server_that_missed_a_write_cannot_commit_and_writes_nothing(
        config: EtcdConfig, two: tuple[StateStore, StateStore]) -> None:
    first, stale = two  # neither follows: `stale` never learns of `first`'s commit
    txn = first.begin(now_ns=1)
    txn.nodes.append(Node(id="n1"))
    first.commit(txn)

    txn = stale.begin(now_ns=1)
    txn.nodes.append(Node(id="intruder"))
    with pytest.raises(WriteFailed, match="changed under this server"):
        stale.commit(txn)
    assert stale.node("intruder") is None and stale.index == 0

    check = EtcdBackend(config)
    try:
        reread = StateStore(check)
        assert [n.id for n in reread.nodes()] == ["n1"] and reread.index == 1
    finally:
        check.close()


def test_an_unreachable_etcd_is_a_clear_write_error() -> None:
    backend = EtcdBackend(EtcdConfig(endpoints=[f"http://127.0.0.1:{free_port()}"]),
                          timeout_s=1.0)
    try:
        with pytest.raises(WriteFailed, match="etcd: could not read the state"):
            backend.load()
    finally:
        backend.close()


def test_a_plan_over_etcds_transaction_limit_is_refused_whole_with_the_flag_to_raise(
        tmp_path: Path) -> None:
    small = EtcdProcess(root=tmp_path, max_txn_ops=128)
    small.start()
    backend = EtcdBackend(EtcdConfig(endpoints=[small.endpoint]))
    try:
        store = StateStore(backend)
        txn = store.begin(now_ns=1)
        job = _job()
        txn.jobs.append(job)
        txn.allocs.extend(Allocation(id=f"a{n}", job_id="web", job=job, node_id="n1")
                          for n in range(200))
        with pytest.raises(WriteFailed) as failed:
            store.commit(txn)
        assert "--max-txn-ops" in str(failed.value.hint)
        assert store.index == 0 and store.allocs() == []
        assert StateStore(backend).index == 0  # nothing reached etcd
    finally:
        backend.close()
        small.stop()


def test_tls_to_etcd_with_a_client_certificate(tmp_path: Path) -> None:
    ca_pem, ca_key = create_ca()
    cert_pem, key_pem = create_cert(CertRequest(role="server"), ca_pem, ca_key)
    files = {"ca.pem": ca_pem, "cert.pem": cert_pem, "key.pem": key_pem}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    ca, cert, key = (tmp_path / n for n in files)
    secure = EtcdProcess(root=tmp_path, tls=(ca, cert, key))
    secure.start()
    opened: list[EtcdBackend] = []
    try:
        good = EtcdConfig(endpoints=[secure.endpoint], ca_file=str(ca), cert_file=str(cert),
                          key_file=str(key))
        opened.append(backend := EtcdBackend(good))
        store = StateStore(backend)
        txn = store.begin(now_ns=1)
        txn.nodes.append(Node(id="n1"))
        assert store.commit(txn) == 1
        # Without a client certificate etcd refuses the connection: a clear error.
        opened.append(anonymous := EtcdBackend(EtcdConfig(endpoints=[secure.endpoint],
                                                         ca_file=str(ca)), timeout_s=2.0))
        with pytest.raises(WriteFailed, match="etcd: could not read the state"):
            anonymous.load()
    finally:
        for b in opened:
            b.close()
        secure.stop()


def test_a_certificate_without_its_key_is_refused_at_start(tmp_path: Path) -> None:
    (tmp_path / "cert.pem").write_text("x")
    with pytest.raises(InvalidInput, match="cert_file and key_file go together"):
        EtcdBackend(EtcdConfig(endpoints=["https://127.0.0.1:2379"],
                               cert_file=str(tmp_path / "cert.pem")))
