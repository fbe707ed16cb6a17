"""The ACL and namespace tables of the state store, typed like jobs and nodes.

    acl_policies   name -> ACLPolicy
    acl_tokens     accessor -> ACLToken (no SecretID), persisted with its "SecretHash"
    acl_bootstrap  "bootstrap" -> {"ResetIndex": <index of the last bootstrap>}
    namespaces     name -> Namespace
    acl_one_time_tokens  sha256(one-time secret) -> StoredOneTimeToken

Secrets are kept only as their SHA-256; the secret-hash -> accessor index is built
in memory from the token rows, so it can never disagree with them. The rows on disk
keep the JSON shapes earlier versions wrote (an older `acl_token_secrets` table is
no longer read: the token rows carry the same hashes).
"""

from __future__ import annotations

import json
from typing import Any

from caravan.server.state.backend import Change
from caravan.server.state.txn import AclWrites
from caravan.structs.acl import ACLPolicy, ACLToken, Namespace
from caravan.structs.one_time_token import StoredOneTimeToken

POLICY_TABLE = "acl_policies"
TOKEN_TABLE = "acl_tokens"
BOOTSTRAP_TABLE = "acl_bootstrap"
NAMESPACE_TABLE = "namespaces"
ONE_TIME_TABLE = "acl_one_time_tokens"
TABLES = (POLICY_TABLE, TOKEN_TABLE, BOOTSTRAP_TABLE, NAMESPACE_TABLE, ONE_TIME_TABLE)


class AclTables:
    """Reads for the ACL and namespace endpoints; written only through `StateStore.commit`."""

    def __init__(self) -> None:
        self._policies: dict[str, ACLPolicy] = {}
        self._tokens: dict[str, ACLToken] = {}
        self._secret_hash: dict[str, str] = {}  # accessor -> sha256(secret)
        self._by_secret_hash: dict[str, str] = {}  # sha256(secret) -> accessor
        self._namespaces: dict[str, Namespace] = {}
        self._bootstrap_index: int | None = None
        self._one_time: dict[str, StoredOneTimeToken] = {}

    # ---- reads ---------------------------------------------------------------------------

    def policy(self, name: str) -> ACLPolicy | None:
        return self._policies.get(name)

    def policies(self) -> list[ACLPolicy]:
        return [self._policies[n] for n in sorted(self._policies)]

    def token(self, accessor: str) -> ACLToken | None:
        return self._tokens.get(accessor)

    def tokens(self) -> list[ACLToken]:
        return list(self._tokens.values())

    def token_by_secret_hash(self, secret_hash: str) -> ACLToken | None:
        accessor = self._by_secret_hash.get(secret_hash)
        return self._tokens.get(accessor) if accessor is not None else None

    def bootstrap_index(self) -> int | None:
        """The index of the last ACL bootstrap; None before the first."""
        return self._bootstrap_index

    def namespace(self, name: str) -> Namespace | None:
        return self._namespaces.get(name)

    def namespaces(self) -> list[Namespace]:
        return [self._namespaces[n] for n in sorted(self._namespaces)]

    def one_time_token(self, secret_hash: str) -> StoredOneTimeToken | None:
        return self._one_time.get(secret_hash)

    def one_time_tokens(self) -> dict[str, StoredOneTimeToken]:
        return dict(self._one_time)

    # ---- the store's side ----------------------------------------------------------------

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for raw in rows.get(POLICY_TABLE, {}).values():
            policy = ACLPolicy.model_validate_json(raw)
            self._policies[policy.name] = policy
        for raw in rows.get(TOKEN_TABLE, {}).values():
            data = json.loads(raw)
            secret_hash = str(data.pop("SecretHash", ""))
            self._put_token(ACLToken.model_validate(data), secret_hash)
        for raw in rows.get(NAMESPACE_TABLE, {}).values():
            namespace = Namespace.model_validate_json(raw)
            self._namespaces[namespace.name] = namespace
        for key, raw in rows.get(ONE_TIME_TABLE, {}).items():
            self._one_time[key] = StoredOneTimeToken.model_validate_json(raw)
        done = rows.get(BOOTSTRAP_TABLE, {}).get("bootstrap")
        if done is not None:
            self._bootstrap_index = int(json.loads(done)["ResetIndex"])

    def change(self, writes: AclWrites, change: Change) -> None:
        """The rows `writes` put on disk (`StateStore.commit` persists them first)."""
        for name, policy in writes.policies.items():
            _put(change, POLICY_TABLE, name, None if policy is None
                 else policy.model_dump_json(by_alias=True))
        for accessor, token in writes.tokens.items():
            _put(change, TOKEN_TABLE, accessor, None if token is None
                 else self._token_row(token, writes.secret_hashes))
        for name, namespace in writes.namespaces.items():
            _put(change, NAMESPACE_TABLE, name, None if namespace is None
                 else namespace.model_dump_json(by_alias=True))
        for key, ott in writes.one_time_tokens.items():
            _put(change, ONE_TIME_TABLE, key, None if ott is None
                 else ott.model_dump_json(by_alias=True))
        if writes.bootstrap_index is not None:
            change.put(BOOTSTRAP_TABLE, "bootstrap",
                       json.dumps({"ResetIndex": writes.bootstrap_index}))

    def apply(self, writes: AclWrites) -> set[str]:
        """Apply `writes` in memory (after the backend kept them); returns the tables touched."""
        touched: set[str] = set()
        for name, policy in writes.policies.items():
            _set(self._policies, name, policy)
            touched.add(POLICY_TABLE)
        for accessor, token in writes.tokens.items():
            if token is None:
                self._drop_token(accessor)
            else:
                self._put_token(token, writes.secret_hashes.get(accessor)
                                or self._secret_hash.get(accessor, ""))
            touched.add(TOKEN_TABLE)
        for name, namespace in writes.namespaces.items():
            _set(self._namespaces, name, namespace)
            touched.add(NAMESPACE_TABLE)
        for key, ott in writes.one_time_tokens.items():
            _set(self._one_time, key, ott)
            touched.add(ONE_TIME_TABLE)
        if writes.bootstrap_index is not None:
            self._bootstrap_index = writes.bootstrap_index
            touched.add(BOOTSTRAP_TABLE)
        return touched

    def _token_row(self, token: ACLToken, new_hashes: dict[str, str]) -> str:
        row: dict[str, Any] = token.model_dump(mode="json", by_alias=True)
        row["SecretHash"] = new_hashes.get(token.accessor_id) \
            or self._secret_hash.get(token.accessor_id, "")
        return json.dumps(row)

    def _put_token(self, token: ACLToken, secret_hash: str) -> None:
        self._tokens[token.accessor_id] = token
        if secret_hash:
            self._secret_hash[token.accessor_id] = secret_hash
            self._by_secret_hash[secret_hash] = token.accessor_id

    def _drop_token(self, accessor: str) -> None:
        self._tokens.pop(accessor, None)
        secret_hash = self._secret_hash.pop(accessor, None)
        if secret_hash is not None:
            self._by_secret_hash.pop(secret_hash, None)


def _put(change: Change, table: str, key: str, value: str | None) -> None:
    if value is None:
        change.delete(table, key)
    else:
        change.put(table, key, value)


def _set(table: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        table.pop(key, None)
    else:
        table[key] = value
