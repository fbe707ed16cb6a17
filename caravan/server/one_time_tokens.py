"""One-time tokens: `caravan ui -authenticate` hands the browser a secret that is good for
one exchange, within ten minutes, for the caller's own ACL token (as Nomad does).

Creating one needs a real ACL token (not the anonymous one, not a workload identity);
no capability is checked, since it only hands back the caller's own rights. An exchange
deletes every one-time token of that ACL token (Nomad's rule), and each write also drops
the expired ones, so the table stays as small as the tokens in flight.

caravan keeps only hashes of ACL secrets, yet an exchange must return the secret. So
the row holds it sealed (AES-GCM) under a key derived from the one-time secret, which
is itself stored only as its SHA-256: a copy of the state (SQLite file, etcd) reveals
neither secret. Sealing binds the AccessorID, so a row cannot be moved to another token.
"""

from __future__ import annotations

import base64
import os
import threading

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from caravan.acl.identity import Caller, hash_secret, is_uuid
from caravan.errors import PermissionDenied
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.core import ServerCore
from caravan.server.state import Txn
from caravan.structs.acl import ACLToken, rfc3339_nano
from caravan.structs.one_time_token import OneTimeToken, StoredOneTimeToken

TTL_NS = 10 * 60 * 1_000_000_000  # Nomad's: ten minutes
_INFO = b"caravan one-time token v1"


def _key(one_time_secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=_INFO).derive(one_time_secret.encode())


def seal(one_time_secret: str, token_secret: str, accessor: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_key(one_time_secret)).encrypt(nonce, token_secret.encode(),
                                                   accessor.encode())
    return base64.b64encode(nonce + sealed).decode()


def unseal(one_time_secret: str, row: StoredOneTimeToken) -> str | None:
    """The ACL token's secret, or None when the row was not sealed for this secret."""
    try:
        raw = base64.b64decode(row.sealed_secret, validate=True)
        return AESGCM(_key(one_time_secret)).decrypt(raw[:12], raw[12:],
                                                     row.accessor_id.encode()).decode()
    except (InvalidTag, ValueError):
        return None


class OneTimeTokens:
    def __init__(self, core: ServerCore, acl: ACLEndpoint) -> None:
        self._core = core
        self._acl = acl
        self._lock = threading.Lock()  # an exchange's read and delete are one step

    def create(self, caller: Caller) -> tuple[OneTimeToken, int]:
        self._acl.check_enabled()
        tables = self._core.store.acl
        token = (tables.token_by_secret_hash(hash_secret(caller.secret))
                 if caller.claim is None and is_uuid(caller.secret) else None)
        if token is None:
            raise PermissionDenied()
        secret = self._core.new_id()
        with self._lock:
            txn = self._core.begin()
            expires = txn.now_ns + TTL_NS
            txn.acl.one_time_tokens[hash_secret(secret)] = StoredOneTimeToken(
                accessor_id=token.accessor_id, expires_at_ns=expires,
                sealed_secret=seal(secret, caller.secret, token.accessor_id),
                create_index=txn.index, modify_index=txn.index)
            self._drop_expired(txn)
            index = self._core.store.commit(txn)
        return OneTimeToken(one_time_secret_id=secret, accessor_id=token.accessor_id,
                            expires_at=rfc3339_nano(expires), create_index=index,
                            modify_index=index), index

    def exchange(self, secret: str) -> tuple[ACLToken, int]:
        """The ACL token (with its secret) that created `secret`; 403 for an unknown,
        used or expired one-time secret, or when the ACL token is gone or expired."""
        self._acl.check_enabled()
        tables = self._core.store.acl
        with self._lock:
            row = tables.one_time_token(hash_secret(secret)) if is_uuid(secret) else None
            now = self._core.clock.now_ns()
            if row is None or row.expires_at_ns < now:
                raise PermissionDenied()
            token = tables.token(row.accessor_id)
            token_secret = unseal(secret, row)
            if token is None or token.expired(now) or token_secret is None or \
                    tables.token_by_secret_hash(hash_secret(token_secret)) != token:
                raise PermissionDenied()
            txn = self._core.begin()
            for key, other in tables.one_time_tokens().items():
                if other.accessor_id == row.accessor_id:
                    txn.acl.one_time_tokens[key] = None
            self._drop_expired(txn)
            index = self._core.store.commit(txn)
        return token.model_copy(update={"secret_id": token_secret}), index

    def _drop_expired(self, txn: Txn) -> None:
        for key, row in self._core.store.acl.one_time_tokens().items():
            if row.expires_at_ns < txn.now_ns:
                txn.acl.one_time_tokens[key] = None
