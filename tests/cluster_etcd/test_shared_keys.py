"""Servers on etcd share their root keys and their client-introduction key: what one
encrypts or signs, every other decrypts or verifies (issue 16)."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from caravan.config.etcd import EtcdConfig
from caravan.server.cluster.shared_keys import EtcdKeyStore, shared_intro_key
from caravan.server.introduction import load_or_create_key
from caravan.server.keyring import Keyring
from caravan.server.keyring_files import DirKeyStore
from caravan.server.state.etcd import EtcdBackend
from tests.etcd_server import EtcdProcess

_prefixes = itertools.count()
_AUD = "nomadproject.io"


def _now_ns() -> int:
    return time.time_ns()


@pytest.fixture
def backends(etcd: EtcdProcess) -> Iterator[list[EtcdBackend]]:
    config = EtcdConfig(endpoints=[etcd.endpoint], key_prefix=f"k{next(_prefixes)}/")
    made = [EtcdBackend(config) for _ in range(3)]
    try:
        yield made
    finally:
        for backend in made:
            backend.close()


def _at_once(backends: list[EtcdBackend], make: Callable[[EtcdBackend], object]) -> list[object]:
    with ThreadPoolExecutor(len(backends)) as pool:
        return list(pool.map(make, backends))


def test_servers_starting_together_agree_on_one_root_key(backends: list[EtcdBackend]) -> None:
    rings = _at_once(backends, lambda b: Keyring(EtcdKeyStore(b.conn), _now_ns))
    ids = {tuple(k.key_id for k in ring.keys()) for ring in rings}  # type: ignore[attr-defined]
    assert len(ids) == 1 and len(next(iter(ids))) == 1
    assert len(EtcdKeyStore(backends[0].conn).load()) == 1


def test_servers_starting_together_agree_on_one_introduction_key(
        backends: list[EtcdBackend]) -> None:
    keys = _at_once(backends, lambda b: shared_intro_key(b.conn))
    raw = {k.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.Raw, serialization.PublicFormat.Raw) for k in keys}
    assert len(raw) == 1


def test_what_one_server_encrypts_and_signs_another_decrypts_and_verifies(
        backends: list[EtcdBackend]) -> None:
    one = Keyring(EtcdKeyStore(backends[0].conn), _now_ns)
    other = Keyring(EtcdKeyStore(backends[1].conn), _now_ns)
    key_id, blob = one.encrypt(b"s3cret", b"default/app/db")
    assert other.decrypt(key_id, blob, b"default/app/db") == b"s3cret"
    now = int(time.time())
    token = one.sign({"sub": "wi", "aud": _AUD, "iat": now, "nbf": now})
    assert other.verify(token, _AUD)["sub"] == "wi"


def test_a_rotation_on_one_server_reaches_the_others(backends: list[EtcdBackend]) -> None:
    one = Keyring(EtcdKeyStore(backends[0].conn), _now_ns)
    other = Keyring(EtcdKeyStore(backends[1].conn), _now_ns)
    first = other.active().key_id

    async def scenario() -> None:
        other.follow()
        fresh = one.rotate()
        want = {first: False, fresh.key_id: True}  # the retired key stays, inactive
        async with asyncio.timeout(20):
            while {k.key_id: k.active for k in other.keys()} != want:
                await asyncio.sleep(0.01)
        assert other.active().key_id == fresh.key_id
        now = int(time.time())
        token = other.sign({"sub": "wi", "aud": _AUD, "iat": now, "nbf": now})
        assert one.verify(token, _AUD)["sub"] == "wi"
        other.close()

    asyncio.run(scenario())


def test_a_key_made_after_start_is_found_without_the_watch(backends: list[EtcdBackend]) -> None:
    one = Keyring(EtcdKeyStore(backends[0].conn), _now_ns)
    other = Keyring(EtcdKeyStore(backends[1].conn), _now_ns)  # never follows
    one.rotate()
    key_id, blob = one.encrypt(b"v", b"aad")
    assert other.decrypt(key_id, blob, b"aad") == b"v"


def test_the_first_server_on_etcd_starts_from_the_keys_it_kept_on_disk(
        backends: list[EtcdBackend], tmp_path: Path) -> None:
    """Upgrading from one server (or from key files copied between servers): what the
    on-disk keys encrypted still decrypts on every server once the keys live in etcd."""
    on_disk = Keyring(DirKeyStore(tmp_path / "keyring"), _now_ns)
    key_id, blob = on_disk.encrypt(b"old", b"aad")
    seed = DirKeyStore(tmp_path / "keyring").load()
    first = Keyring(EtcdKeyStore(backends[0].conn, seed), _now_ns)
    later = Keyring(EtcdKeyStore(backends[1].conn), _now_ns)
    assert first.active().key_id == later.active().key_id == key_id
    assert later.decrypt(key_id, blob, b"aad") == b"old"


def test_the_first_server_on_etcd_keeps_its_introduction_key(
        backends: list[EtcdBackend], tmp_path: Path) -> None:
    local = load_or_create_key(tmp_path)
    shared = [shared_intro_key(backends[0].conn, tmp_path / "intro-ed25519.pem"),
              shared_intro_key(backends[1].conn)]
    raw = {k.public_key().public_bytes(serialization.Encoding.Raw,
                                       serialization.PublicFormat.Raw)
           for k in (local, *shared)}
    assert len(raw) == 1
