"""The keyring: AES-256-GCM that refuses tampered or moved ciphertext, rotation that
keeps old data readable, key files only root can read, and JWTs it alone can sign."""

from __future__ import annotations

import stat
from pathlib import Path

import jwt
import pytest

from caravan.server.keyring_files import DirKeyStore, MemoryKeyStore
from caravan.server.keyring import DecryptFailed, Keyring


def _clock() -> int:
    return 1_700_000_000_000_000_000


def test_round_trip_and_tampering(tmp_path: Path) -> None:
    ring = Keyring(DirKeyStore(tmp_path / "keyring"), _clock)
    key_id, blob = ring.encrypt(b'{"pass":"s3cret"}', b"default\x00app/db")
    assert b"s3cret" not in blob
    assert ring.decrypt(key_id, blob, b"default\x00app/db") == b'{"pass":"s3cret"}'
    flipped = blob[:-1] + bytes([blob[-1] ^ 1])
    with pytest.raises(DecryptFailed, match="tampered"):
        ring.decrypt(key_id, flipped, b"default\x00app/db")
    with pytest.raises(DecryptFailed):  # the same row copied to another path
        ring.decrypt(key_id, blob, b"default\x00other")
    with pytest.raises(DecryptFailed, match="no such key"):
        ring.decrypt("missing", blob, b"default\x00app/db")


def test_rotation_keeps_old_data_and_tokens_valid_across_restarts(tmp_path: Path) -> None:
    ring = Keyring(DirKeyStore(tmp_path / "keyring"), _clock)
    old_id, blob = ring.encrypt(b"v1", b"aad")
    old_token = ring.sign({"iat": 1, "nbf": 1, "aud": ["nomadproject.io"]})
    new = ring.rotate()
    assert ring.active().key_id == new.key_id != old_id
    assert ring.encrypt(b"v2", b"aad")[0] == new.key_id
    reopened = Keyring(DirKeyStore(tmp_path / "keyring"), _clock)
    assert reopened.active().key_id == new.key_id
    assert reopened.decrypt(old_id, blob, b"aad") == b"v1"
    assert reopened.verify(old_token, "nomadproject.io")["iat"] == 1
    assert {k["kid"] for k in reopened.jwks()["keys"]} == {old_id, new.key_id}
    assert [k.active for k in reopened.keys()] == [False, True]


def test_key_files_are_private(tmp_path: Path) -> None:
    ring = Keyring(DirKeyStore(tmp_path / "keyring"), _clock)
    files = list((tmp_path / "keyring" / "root").iterdir())
    assert [f.name for f in files] == [f"{ring.active().key_id}.json"]
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "keyring" / "root").stat().st_mode) == 0o700
    assert "SigningKey" not in str(ring.jwks())


def test_verify_refuses_other_keys_audiences_and_expiry(tmp_path: Path) -> None:
    ring, stranger = Keyring(MemoryKeyStore(), _clock), Keyring(MemoryKeyStore(), _clock)
    claims = {"iat": 1, "nbf": 1, "aud": ["nomadproject.io"]}
    with pytest.raises(jwt.PyJWTError):
        ring.verify(stranger.sign(claims), "nomadproject.io")
    with pytest.raises(jwt.PyJWTError):
        ring.verify(ring.sign({**claims, "aud": ["vault.io"]}), "nomadproject.io")
    with pytest.raises(jwt.PyJWTError):
        ring.verify(ring.sign({**claims, "exp": 2}), "nomadproject.io")
    with pytest.raises(jwt.PyJWTError):
        ring.verify(ring.sign({"aud": ["nomadproject.io"]}), "nomadproject.io")  # no iat
