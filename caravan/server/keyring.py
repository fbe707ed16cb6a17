"""The server's keyring: root keys that encrypt Variables and sign workload identities.

    RootKey    key ID, a 256-bit AES-GCM data key and an RSA-2048 signing key
    Keyring    encrypt/decrypt (AES-256-GCM), sign/verify (RS256 JWT), rotate, JWKS

Exactly one key is active: it encrypts new writes and signs new identities. Rotated
keys stay (inactive), so what they encrypted still decrypts and what they signed
still verifies. One server keeps its keys in `<data_dir>/server/keyring/root/`
(keyring_files.py); the state store holds only ciphertext and key IDs, so a copied
`state.db` reveals no variable. Servers sharing state in etcd share their keys there
too (cluster/shared_keys.py): a variable written through one server decrypts on
every other, and an identity one signs verifies on all.

Ciphertext is `nonce (12 bytes) || AES-256-GCM(items)` with the variable's namespace
and path as associated data: a row copied to another path, or altered at all, fails
to decrypt instead of answering with someone else's secret.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from caravan.errors import CaravanError

log = logging.getLogger(__name__)

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


class KeyStore(Protocol):
    """Where the root keys live (caravan/server/keyring_files.py, cluster/shared_keys.py)."""

    def load(self) -> list[RootKey]: ...

    def save(self, keys: list[RootKey]) -> None:
        """Every key of the list, in order."""

    def create_first(self, key: RootKey) -> list[RootKey]:
        """Store `key` unless another server already stored a first key; the stored keys."""
        ...

    def follow(self, learn: Callable[[RootKey], None]) -> None:
        """From the running loop: call `learn` on it for keys other servers write."""

    def close(self) -> None:
        """Stop following (before the connection under it closes)."""


class Keyring:
    """Thread-safe for reads (keys never change in place); rotate from the event loop."""

    def __init__(self, store: KeyStore, now_ns: Callable[[], int]) -> None:
        self._store = store
        self._now_ns = now_ns
        self._keys = {k.key_id: k for k in self._store.load()}
        if not any(k.active for k in self._keys.values()):
            first = self._store.create_first(new_root_key(now_ns()))
            self._keys.update((k.key_id, k) for k in first)
        if not any(k.active for k in self._keys.values()):
            raise CaravanError("the keyring holds no active root key",
                               hint="rotate it: PUT /v1/operator/keyring/rotate")
        self._reloaded = 0.0

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
        retired = [RootKey(k.key_id, k.create_time_ns, k.data_key, k.signing_key, False)
                   for k in old]
        self._store.save([fresh, *retired])
        self._keys.update((k.key_id, k) for k in (fresh, *retired))
        return fresh

    def follow(self) -> None:
        """From the running loop: take in the keys other servers rotate in."""
        self._store.follow(self._learn)

    def close(self) -> None:
        self._store.close()

    def _learn(self, key: RootKey) -> None:
        self._keys = {**self._keys, key.key_id: key}

    def _key(self, key_id: str) -> RootKey | None:
        """A key by ID; an unknown one rereads the store (at most once a second, so
        tokens with made-up key IDs cannot hammer it) in case another server made it
        and its watch event is still on the way."""
        key = self._keys.get(key_id)
        if key is None and time.monotonic() - self._reloaded > 1.0:
            self._reloaded = time.monotonic()
            try:
                loaded = self._store.load()
            except CaravanError as e:  # etcd away: the key stays unknown, as it would be
                log.warning("keyring: could not reread the root keys: %s", e)
                return None
            self._keys = {**self._keys, **{k.key_id: k for k in loaded}}
            key = self._keys.get(key_id)
        return key

    # ---- encryption ----------------------------------------------------------------------

    def encrypt(self, plaintext: bytes, aad: bytes) -> tuple[str, bytes]:
        key = self.active()
        nonce = os.urandom(_NONCE_BYTES)
        return key.key_id, nonce + AESGCM(key.data_key).encrypt(nonce, plaintext, aad)

    def decrypt(self, key_id: str, blob: bytes, aad: bytes) -> bytes:
        key = self._key(key_id)
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
        key = self._key(kid) if isinstance(kid, str) else None
        if key is None:
            raise jwt.InvalidKeyError("token signed by an unknown key")
        claims: dict[str, Any] = jwt.decode(
            token, key.signing_key.public_key(), algorithms=[SIGNING_ALGORITHM],
            audience=audience, options={"require": ["iat", "nbf"], "verify_aud": True})
        return claims

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.keys()]}


def encode_key(key: RootKey) -> bytes:
    """A key as stored: `keyring/root/<id>.json` on disk, or its value in etcd."""
    pem = key.signing_key.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption())
    return json.dumps({**key.metadata(), "Key": base64.b64encode(key.data_key).decode(),
                       "SigningKey": pem.decode()}).encode()


def decode_key(body: bytes, where: str) -> RootKey:
    """`where` names the file or etcd key in the error."""
    try:
        raw = json.loads(body)
        signing = serialization.load_pem_private_key(raw["SigningKey"].encode(), password=None)
        data_key = base64.b64decode(raw["Key"])
    except (ValueError, KeyError, TypeError) as err:
        raise CaravanError(f"keyring key {where} is unreadable: {err}",
                           hint="restore it from a backup") from err
    if not isinstance(signing, rsa.RSAPrivateKey) or len(data_key) != 32:
        raise CaravanError(f"keyring key {where} does not hold an AES-256 and an RSA key")
    return RootKey(str(raw["KeyID"]), int(raw["CreateTime"]), data_key, signing,
                   raw.get("State") == "active")
