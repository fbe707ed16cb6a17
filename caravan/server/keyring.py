"""The server's keyring: root keys that encrypt Variables and sign workload identities.

    RootKey    key ID, a 256-bit AES-GCM data key and an RSA-2048 signing key
    Keyring    encrypt/decrypt (AES-256-GCM), sign/verify (RS256 JWT), rotate, JWKS

Exactly one key is active: it encrypts new writes and signs new identities. Rotated
keys stay (inactive), so what they encrypted still decrypts and what they signed
still verifies. Keys live in `<data_dir>/server/keyring/root/<key-id>.json`, 0600
in a 0700 directory, written whole and renamed into place; the state store holds
only ciphertext and key IDs, so a copied `state.db` reveals no variable. Without a
data dir (tests) keys are memory-only.

Ciphertext is `nonce (12 bytes) || AES-256-GCM(items)` with the variable's namespace
and path as associated data: a row copied to another path, or altered at all, fails
to decrypt instead of answering with someone else's secret.
"""

from __future__ import annotations

import base64
import json
import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caravan.errors import CaravanError

ALGORITHM = "aes256-gcm"
SIGNING_ALGORITHM = "RS256"
_NONCE_BYTES = 12


class DecryptFailed(CaravanError):
    """Ciphertext that does not decrypt: tampered, moved, or its key is gone."""


@dataclass(frozen=True)
class RootKey:
    key_id: str
    create_time_ns: int
    data_key: bytes
    signing_key: rsa.RSAPrivateKey
    active: bool

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(
            self.signing_key.public_key()))
        return {**jwk, "kid": self.key_id, "use": "sig", "alg": SIGNING_ALGORITHM}

    def metadata(self) -> dict[str, Any]:
        """What `GET /v1/operator/keyring/keys` shows (never the key material)."""
        return {"KeyID": self.key_id, "Algorithm": ALGORITHM, "CreateTime": self.create_time_ns,
                "State": "active" if self.active else "inactive"}


def new_root_key(now_ns: int) -> RootKey:
    return RootKey(str(uuid.uuid4()), now_ns, AESGCM.generate_key(bit_length=256),
                   rsa.generate_private_key(public_exponent=65537, key_size=2048), True)


class Keyring:
    """Thread-safe for reads (keys never change in place); rotate from the event loop."""

    def __init__(self, directory: Path | None, now_ns: Callable[[], int]) -> None:
        self._dir = directory
        self._now_ns = now_ns
        self._keys: dict[str, RootKey] = {}
        if directory is not None:
            self._keys = {k.key_id: k for k in _load_all(directory)}
        if not any(k.active for k in self._keys.values()):
            self._add(new_root_key(now_ns()))

    # ---- keys ----------------------------------------------------------------------------

    def active(self) -> RootKey:
        # Two active keys only after a crash inside rotate(): the newer one wins.
        return max((k for k in self._keys.values() if k.active),
                   key=lambda k: k.create_time_ns)

    def keys(self) -> list[RootKey]:
        return sorted(self._keys.values(), key=lambda k: k.create_time_ns)

    def rotate(self) -> RootKey:
        """A new active key; the old ones stay for decrypting and verifying."""
        old = [k for k in self._keys.values() if k.active]
        fresh = new_root_key(max(self._now_ns(), *(k.create_time_ns + 1 for k in old)))
        self._add(fresh)
        for key in old:
            self._add(RootKey(key.key_id, key.create_time_ns, key.data_key, key.signing_key,
                              False))
        return fresh

    def _add(self, key: RootKey) -> None:
        if self._dir is not None:
            _save(self._dir, key)
        self._keys[key.key_id] = key

    # ---- encryption ----------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        key = self.active()
        nonce = os.urandom(_NONCE_BYTES)
        return key.key_id, nonce + AESGCM(key.data_key).encrypt(nonce, plaintext, aad)

    def decrypt(self, key_id: str, blob: bytes, aad: bytes) -> bytes:
        key = self._keys.get(key_id)
        if key is None:
            raise DecryptFailed(f"no such key {key_id!r} in keyring")
        try:
            return AESGCM(key.data_key).decrypt(blob[:_NONCE_BYTES], blob[_NONCE_BYTES:], aad)
        except (InvalidTag, ValueError):
            raise DecryptFailed("variable failed to decrypt: data corrupted or "
                                "tampered with") from None

    # ---- signing -------------------------------------------------------------------------

    def sign(self, claims: dict[str, Any]) -> str:
        key = self.active()
        return jwt.encode(claims, key.signing_key, algorithm=SIGNING_ALGORITHM,
                          headers={"kid": key.key_id})

    def verify(self, token: str, audience: str | list[str] | None) -> dict[str, Any]:
        """The claims of a token this keyring signed; raises jwt.PyJWTError otherwise.
        `exp` is checked when present (identities without a `ttl` have none)."""
        kid = jwt.get_unverified_header(token).get("kid")
        key = self._keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidKeyError("token signed by an unknown key")
        claims: dict[str, Any] = jwt.decode(
            token, key.signing_key.public_key(), algorithms=[SIGNING_ALGORITHM],
            audience=audience, options={"require": ["iat", "nbf"], "verify_aud": True})
        return claims

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys()]}


def _save(directory: Path, key: RootKey) -> None:
    root = directory / "root"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    pem = key.signing_key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    body = json.dumps({**key.metadata(), "Key": base64.b64encode(key.data_key).decode(),
                       "SigningKey": pem.decode()}).encode()
    final = root / f"{key.key_id}.json"
    temp = root / f".{key.key_id}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, body)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, final)
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _load_all(directory: Path) -> list[RootKey]:
    root = directory / "root"
    if not root.is_dir():
        return []
    return [_load(path) for path in sorted(root.glob("*.json"))]


def _load(path: Path) -> RootKey:
    try:
        raw = json.loads(path.read_bytes())
        signing = serialization.load_pem_private_key(raw["SigningKey"].encode(), password=None)
        data_key = base64.b64decode(raw["Key"])
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise CaravanError(f"keyring file {path} is unreadable: {err}",
                           hint="restore it from a backup of the data dir") from err
    if not isinstance(signing, rsa.RSAPrivateKey) or len(data_key) != 32:
        raise CaravanError(f"keyring file {path} does not hold an AES-256 and an RSA key")
    return RootKey(str(raw["KeyID"]), int(raw["CreateTime"]), data_key, signing,
                   raw.get("State") == "active")
