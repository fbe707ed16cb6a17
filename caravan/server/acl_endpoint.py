"""ACL state: bootstrap, policies, tokens, and resolving a secret to a compiled ACL.

Tables (JSON rows in the state store):

    acl_policies       name -> ACLPolicy
    acl_tokens         accessor -> ACLToken with an empty SecretID, plus "SecretHash"
    acl_token_secrets  sha256(secret) -> accessor
    acl_bootstrap      "bootstrap" -> {"ResetIndex": <index of the last bootstrap>}

Unlike Nomad, secrets are stored only as their SHA-256, so a copied state file does
not hand out tokens. The SecretID is therefore returned once, by bootstrap and by
create; `token info`, `token list` and `token update` cannot show it again (`token
self` can: the caller has just presented it). Secrets are 122-bit random UUIDs, so
an unsalted hash is enough.

Resolving a token (every authorized request) is a dict lookup while no token or
policy changed since the last resolution of the same secret; otherwise a SHA-256,
a few dict lookups and an `ACLCache` hit (rows are parsed again only when their
text changed).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from caravan.acl import ACL, ACLCache, PolicySource
from caravan.acl.identity import (
    ANONYMOUS_POLICY,
    Caller,
    anonymous_token,
    hash_secret,
    is_uuid,
)
from caravan.acl.validate import check_policy, multi_error
from caravan.errors import (
    CaravanError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TokenNotFound,
)
from caravan.server.core import ServerCore
from caravan.server.state import Txn
from caravan.structs.acl import (
    ACLPolicy,
    ACLPolicyListStub,
    ACLToken,
    ACLTokenListStub,
    rfc3339_nano,
)

POLICY_TABLE = "acl_policies"
TOKEN_TABLE = "acl_tokens"
SECRET_TABLE = "acl_token_secrets"
BOOTSTRAP_TABLE = "acl_bootstrap"
RESET_FILE = "acl-bootstrap-reset"

_S = 1_000_000_000
_CALLERS_LIMIT = 4096  # resolved secrets kept; cleared when full (secrets are user input)
Row = TypeVar("Row", ACLToken, ACLPolicy)


class ACLEndpoint:
    def __init__(self, core: ServerCore, server_dir: Path | None, *, enabled: bool = True,
                 token_min_ttl_s: float = 60.0, token_max_ttl_s: float = 24 * 3600.0,
                 cache: ACLCache | None = None) -> None:
        """`server_dir` holds Nomad's `acl-bootstrap-reset` file: `<data_dir>/server`."""
        self._core = core
        self._server_dir = server_dir
        self.enabled = enabled
        self._ttl_range = (int(token_min_ttl_s * _S), int(token_max_ttl_s * _S))
        self.cache = cache or ACLCache()
        self._parsed: dict[tuple[str, str], tuple[str, ACLToken | ACLPolicy]] = {}
        # secret -> (token and policy tables' index, expiry ns or None, caller)
        self._callers: dict[str, tuple[int, int | None, Caller]] = {}

    def check_enabled(self) -> None:
        if not self.enabled:
            raise InvalidInput("ACL support disabled")

    # ---- resolution ----------------------------------------------------------------------

    def resolve_token(self, secret: str) -> ACL | None:
        """The ACL for `secret` ("" = anonymous); None when ACLs are disabled.

        Raises TokenNotFound for an unknown secret (a node secret included: it is
        not an ACL token) and PermissionDenied("ACL token expired") after expiry.
        """
        return self.resolve(secret).acl if self.enabled else None

    def resolve(self, secret: str) -> Caller:
        """The caller `secret` stands for; see `resolve_token` for the errors."""
        version = self._core.store.table_index(TOKEN_TABLE, POLICY_TABLE)
        hit = self._callers.get(secret)
        if hit is not None and hit[0] == version and (
                hit[1] is None or hit[1] >= self._core.clock.now_ns()):
            return hit[2]
        caller = self._resolve(secret)
        if len(self._callers) >= _CALLERS_LIMIT:
            self._callers.clear()
        self._callers[secret] = (version, caller.token.expires_at_ns(), caller)
        return caller

    def _resolve(self, secret: str) -> Caller:
        token = self._token_by_secret(secret)
        if token.type == "management":
            return Caller(token, self.cache.management, secret)
        sources = [PolicySource(p.name, p.hash, p.rules) for name in token.policies or []
                   if (p := self._policy(name)) is not None]
        try:
            acl = self.cache.acl_for(sources)
        except InvalidInput as e:  # fail closed: a policy that no longer parses grants nothing
            raise CaravanError(f"failed to compile the token's ACL policies: {e}") from None
        return Caller(token, acl, secret)

    def node_secret_matches(self, node_id: str, secret: str) -> bool:
        """Nodes authenticate with their node secret, which is never an ACL token."""
        return bool(secret) and self._core.store.node_secret_matches(node_id, secret)

    def _token_by_secret(self, secret: str) -> ACLToken:
        if not secret:
            return anonymous_token()
        accessor = self._core.store.rows(SECRET_TABLE).get(hash_secret(secret)) \
            if is_uuid(secret) else None
        token = self._token(accessor) if accessor else None
        if token is None:
            raise TokenNotFound()
        if token.expired(self._core.clock.now_ns()):
            raise PermissionDenied("ACL token expired")
        return token

    def _token(self, accessor: str) -> ACLToken | None:
        return self._row(TOKEN_TABLE, accessor, ACLToken.model_validate_json)

    def _policy(self, name: str) -> ACLPolicy | None:
        return self._row(POLICY_TABLE, name, ACLPolicy.model_validate_json)

    def _row(self, table: str, key: str, parse: Callable[[str], Row]) -> Row | None:
        """The parsed row; parsed again only when the stored text is a new object."""
        raw = self._core.store.rows(table).get(key)
        if raw is None:
            self._parsed.pop((table, key), None)
            return None
        seen = self._parsed.get((table, key))
        if seen is not None and seen[0] is raw:
            return seen[1]  # type: ignore[return-value]
        value = parse(raw)
        self._parsed[(table, key)] = (raw, value)
        return value

    # ---- bootstrap -----------------------------------------------------------------------

    def bootstrap(self, secret: str = "") -> tuple[ACLToken, int]:
        """The first management token: once, or again when the reset file names the index."""
        self.check_enabled()
        done = self._core.store.rows(BOOTSTRAP_TABLE).get("bootstrap")
        if done is not None:
            reset_index = int(json.loads(done)["ResetIndex"])
            wanted = self._reset_file_index()
            if wanted == 0:
                raise InvalidInput(f"ACL bootstrap already done (reset index: {reset_index})")
            if wanted != reset_index:
                raise InvalidInput(f"Invalid bootstrap reset index (specified {wanted}, "
                                   f"reset index: {reset_index})")
        if secret and not is_uuid(secret):
            raise InvalidInput("invalid acl token")
        core = self._core
        token = ACLToken(accessor_id=core.new_id(), secret_id=secret or core.new_id(),
                         name="Bootstrap Token", type="management", global_=True,
                         create_time=rfc3339_nano(core.clock.now_ns()))
        txn = core.begin()
        txn.put_row(BOOTSTRAP_TABLE, "bootstrap", json.dumps({"ResetIndex": txn.index}))
        stored = self._put_token(txn, token, token.secret_id, None)
        index = core.store.commit(txn)
        return stored.model_copy(update={"secret_id": token.secret_id}), index

    def _reset_file_index(self) -> int:
        if self._server_dir is None:
            return 0
        try:
            return int((self._server_dir / RESET_FILE).read_text().split()[0])
        except (OSError, ValueError, IndexError):
            return 0

    # ---- policies ------------------------------------------------------------------------

    def list_policies(self, caller: Caller,
                      prefix: str = "") -> tuple[list[ACLPolicyListStub], int]:
        """Management tokens see every policy; others the policies they hold."""
        self.check_enabled()
        names = sorted(n for n in self._core.store.rows(POLICY_TABLE) if n.startswith(prefix))
        stubs = [p.stub() for n in names
                 if caller.holds_policy(n) and (p := self._policy(n)) is not None]
        return stubs, self._core.store.table_index(POLICY_TABLE)

    def get_policy(self, caller: Caller, name: str) -> tuple[ACLPolicy, int]:
        """Management tokens read any policy; others the ones they hold, and `anonymous`."""
        self.check_enabled()
        if name != ANONYMOUS_POLICY and not caller.holds_policy(name):
            raise PermissionDenied()
        policy = self._policy(name)
        if policy is None:
            raise NotFound("ACL policy not found")
        return policy, policy.modify_index

    def upsert_policy(self, caller: Caller, policy: ACLPolicy) -> int:
        self._require_management(caller)
        check_policy(policy)
        existing = self._policy(policy.name)
        txn = self._core.begin()
        stored = policy.model_copy(update={
            "hash": policy.computed_hash(), "modify_index": txn.index,
            "create_index": existing.create_index if existing else txn.index})
        txn.put_row(POLICY_TABLE, policy.name, stored.model_dump_json(by_alias=True))
        return self._core.store.commit(txn)

    def delete_policy(self, caller: Caller, name: str) -> int:
        """Deleting a policy that does not exist succeeds, as in Nomad."""
        self._require_management(caller)
        txn = self._core.begin()
        txn.put_row(POLICY_TABLE, name, None)
        self._parsed.pop((POLICY_TABLE, name), None)
        return self._core.store.commit(txn)

    # ---- tokens --------------------------------------------------------------------------

    def list_tokens(self, caller: Caller,
                    prefix: str = "") -> tuple[list[ACLTokenListStub], int]:
        self._require_management(caller)
        tokens = [t for a in self._core.store.rows(TOKEN_TABLE)
                  if a.startswith(prefix) and (t := self._token(a)) is not None]
        tokens.sort(key=lambda t: (t.create_index, t.accessor_id))
        return [t.stub() for t in tokens], self._core.store.table_index(TOKEN_TABLE)

    def get_token(self, caller: Caller, accessor: str) -> tuple[ACLToken, int]:
        """Management reads any token, others only their own; never with its secret."""
        self.check_enabled()
        token = self._token(accessor)
        own = token is not None and caller.token.accessor_id == token.accessor_id
        if not (caller.acl.is_management or own):
            raise PermissionDenied()
        if token is None:
            raise NotFound("ACL token not found")
        return token, token.modify_index

    def self_token(self, caller: Caller) -> tuple[ACLToken, int]:
        """The caller's own token, with the secret they presented."""
        self.check_enabled()
        token = caller.token.model_copy(update={"secret_id": caller.secret})
        return token, token.modify_index

    def upsert_token(self, caller: Caller, token: ACLToken) -> tuple[ACLToken, int]:
        """Create (no AccessorID) or update a token; a new token's secret is returned once."""
        self._require_management(caller)
        existing = self._token(token.accessor_id) if token.accessor_id else None
        if token.accessor_id and existing is None and not _importable(token):
            raise InvalidInput(f"cannot find token {token.accessor_id}")
        token = self._canonical(token, existing)
        min_ttl, max_ttl = self._ttl_range
        problems = token.problems(existing, min_ttl, max_ttl)
        if problems:
            raise InvalidInput(f"token 0 invalid: {multi_error(problems)}")
        txn = self._core.begin()
        stored = self._put_token(txn, token, token.secret_id, existing)
        index = self._core.store.commit(txn)
        shown = token.secret_id if existing is None else ""
        return stored.model_copy(update={"secret_id": shown}), index

    def delete_token(self, caller: Caller, accessor: str) -> int:
        self._require_management(caller)
        raw = self._core.store.rows(TOKEN_TABLE).get(accessor)
        if raw is None:
            raise InvalidInput(f"Cannot delete nonexistent tokens: {accessor}")
        txn = self._core.begin()
        txn.put_row(TOKEN_TABLE, accessor, None)
        txn.put_row(SECRET_TABLE, json.loads(raw)["SecretHash"], None)
        self._parsed.pop((TOKEN_TABLE, accessor), None)
        return self._core.store.commit(txn)

    def _canonical(self, token: ACLToken, existing: ACLToken | None) -> ACLToken:
        """Server-set fields: IDs, secret and times for new tokens; kept ones on update."""
        if existing is not None:
            return token.model_copy(update={
                "secret_id": "", "create_time": existing.create_time,
                "create_index": existing.create_index})
        core = self._core
        now = core.clock.now_ns()
        update: dict[str, object] = {"create_time": rfc3339_nano(now)}
        if not token.accessor_id:
            update |= {"accessor_id": core.new_id(), "secret_id": core.new_id()}
        ttl = _ttl_or_zero(token)
        if token.expiration_time is None and ttl > 0:
            update["expiration_time"] = rfc3339_nano(now + ttl)
        return token.model_copy(update=update)

    def _put_token(self, txn: Txn, token: ACLToken, secret: str,
                   existing: ACLToken | None) -> ACLToken:
        stored = token.model_copy(update={
            "secret_id": "", "hash": token.computed_hash(), "modify_index": txn.index,
            "create_index": existing.create_index if existing else txn.index})
        row = stored.model_dump(mode="json", by_alias=True)
        if existing is None:
            row["SecretHash"] = hash_secret(secret)
            txn.put_row(SECRET_TABLE, row["SecretHash"], stored.accessor_id)
        else:
            old = self._core.store.rows(TOKEN_TABLE)[existing.accessor_id]
            row["SecretHash"] = json.loads(old)["SecretHash"]
        txn.put_row(TOKEN_TABLE, stored.accessor_id, json.dumps(row))
        return stored

    def _require_management(self, caller: Caller) -> None:
        self.check_enabled()
        if not caller.acl.is_management:
            raise PermissionDenied()


def _importable(token: ACLToken) -> bool:
    """Nomad lets a client token be created with a chosen AccessorID and SecretID."""
    return is_uuid(token.accessor_id) and is_uuid(token.secret_id) \
        and token.type != "management"


def _ttl_or_zero(token: ACLToken) -> int:
    try:
        return token.ttl_ns()
    except ValueError:
        return 0  # reported by ACLToken.problems()
