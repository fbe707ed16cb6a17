"""ACL state: bootstrap, policies, tokens, and resolving a secret to a compiled ACL.

The tables are the state store's typed ACL tables (`server/state/acl_tables.py`).
Who may call which method is decided before the call, by the HTTP layer's one
authorization path (`caravan.acl.authorize`); only the ACLs-disabled check is here.

Unlike Nomad, secrets are stored only as their SHA-256, so a copied state file does
not hand out tokens. The SecretID is therefore returned once, by bootstrap and by
create; `token info`, `token list` and `token update` cannot show it again (`token
self` can: the caller has just presented it). Secrets are 122-bit random UUIDs, so
an unsalted hash is enough.

Resolving a token (every authorized request) is a `CallerCache` lookup while no
token or policy changed since the last resolution of the same secret; otherwise a
SHA-256, a few dict lookups and an `ACLCache` hit.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from caravan.acl import ACL, ACLCache, CallerCache, PolicySource
from caravan.acl.identity import Caller, anonymous_token, hash_secret, is_uuid
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
from caravan.server.workload_identity import looks_like_jwt
from caravan.server.state.acl_tables import POLICY_TABLE, TOKEN_TABLE, AclTables
from caravan.structs.acl import ACLPolicy, ACLToken, ACLTokenListStub, rfc3339_nano

RESET_FILE = "acl-bootstrap-reset"

_S = 1_000_000_000


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
        self._callers = CallerCache()
        # Set by the server: a workload identity (a JWT, never a UUID) -> its caller.
        self.workload_identities: Callable[[str], Caller] | None = None

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
        if self.workload_identities is not None and looks_like_jwt(secret):
            return self.workload_identities(secret)
        version = self._core.store.table_index(TOKEN_TABLE, POLICY_TABLE)
        hit = self._callers.get(secret, version, self._core.clock.now_ns())
        if hit is not None:
            return hit
        caller = self._resolve(secret)
        self._callers.put(secret, version, caller.token.expires_at_ns(), caller)
        return caller

    def _resolve(self, secret: str) -> Caller:
        token = self._token_by_secret(secret)
        if token.type == "management":
            return Caller(token, self.cache.management, secret)
        sources = [PolicySource(p.name, p.hash, p.rules) for name in token.policies or []
                   if (p := self._tables.policy(name)) is not None]
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
        token = self._tables.token_by_secret_hash(hash_secret(secret)) \
            if is_uuid(secret) else None
        if token is None:
            raise TokenNotFound()
        if token.expired(self._core.clock.now_ns()):
            raise PermissionDenied("ACL token expired")
        return token

    @property
    def _tables(self) -> AclTables:
        return self._core.store.acl

    # ---- bootstrap -----------------------------------------------------------------------

    def bootstrap(self, secret: str = "") -> tuple[ACLToken, int]:
        """The first management token: once, or again when the reset file names the index."""
        self.check_enabled()
        reset_index = self._tables.bootstrap_index()
        if reset_index is not None:
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
        txn.acl.bootstrap_index = txn.index
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

    # ---- policies (callers are authorized by the HTTP layer) --------------------------

    def list_policies(self, prefix: str = "") -> tuple[list[ACLPolicy], int]:
        self.check_enabled()
        found = [p for p in self._tables.policies() if p.name.startswith(prefix)]
        return found, self._core.store.table_index(POLICY_TABLE)

    def policy(self, name: str) -> ACLPolicy | None:
        self.check_enabled()
        return self._tables.policy(name)

    def get_policy(self, name: str) -> tuple[ACLPolicy, int]:
        policy = self.policy(name)
        if policy is None:
            raise NotFound("ACL policy not found")
        return policy, policy.modify_index

    def upsert_policy(self, policy: ACLPolicy) -> int:
        self.check_enabled()
        check_policy(policy)
        existing = self._tables.policy(policy.name)
        txn = self._core.begin()
        txn.acl.policies[policy.name] = policy.model_copy(update={
            "hash": policy.computed_hash(), "modify_index": txn.index,
            "create_index": existing.create_index if existing else txn.index})
        return self._core.store.commit(txn)

    def delete_policy(self, name: str) -> int:
        """Deleting a policy that does not exist succeeds, as in Nomad."""
        self.check_enabled()
        txn = self._core.begin()
        txn.acl.policies[name] = None
        return self._core.store.commit(txn)

    # ---- tokens (callers are authorized by the HTTP layer) ----------------------------

    def list_tokens(self, prefix: str = "") -> tuple[list[ACLTokenListStub], int]:
        self.check_enabled()
        tokens = [t for t in self._tables.tokens() if t.accessor_id.startswith(prefix)]
        tokens.sort(key=lambda t: (t.create_index, t.accessor_id))
        return [t.stub() for t in tokens], self._core.store.table_index(TOKEN_TABLE)

    def token(self, accessor: str) -> ACLToken | None:
        """The stored token, never with its secret."""
        self.check_enabled()
        return self._tables.token(accessor)

    def self_token(self, caller: Caller) -> tuple[ACLToken, int]:
        """The caller's own token, with the secret they presented."""
        self.check_enabled()
        token = caller.token.model_copy(update={"secret_id": caller.secret})
        return token, token.modify_index

    def upsert_token(self, token: ACLToken) -> tuple[ACLToken, int]:
        """Create (no AccessorID) or update a token; a new token's secret is returned once."""
        self.check_enabled()
        existing = self._tables.token(token.accessor_id) if token.accessor_id else None
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

    def delete_token(self, accessor: str) -> int:
        self.check_enabled()
        if self._tables.token(accessor) is None:
            raise InvalidInput(f"Cannot delete nonexistent tokens: {accessor}")
        txn = self._core.begin()
        txn.acl.tokens[accessor] = None
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
        txn.acl.tokens[stored.accessor_id] = stored
        if existing is None:
            txn.acl.secret_hashes[stored.accessor_id] = hash_secret(secret)
        return stored


def _importable(token: ACLToken) -> bool:
    """Nomad lets a client token be created with a chosen AccessorID and SecretID."""
    return is_uuid(token.accessor_id) and is_uuid(token.secret_id) \
        and token.type != "management"


def _ttl_or_zero(token: ACLToken) -> int:
    try:
        return token.ttl_ns()
    except ValueError:
        return 0  # reported by ACLToken.problems()
