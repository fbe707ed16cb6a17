"""One-time tokens (`caravan ui -authenticate`): one exchange for the creator's own token,
within ten minutes; never for the anonymous caller; and a copy of the state holds neither
the one-time secret nor the ACL token's secret in the clear."""

from __future__ import annotations

from pathlib import Path

import pytest

from caravan.acl import Caller
from caravan.acl.identity import hash_secret
from caravan.errors import PermissionDenied
from caravan.ids import random_id
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.core import ServerCore
from caravan.server.eval_broker import EvalBroker
from caravan.server.one_time_tokens import TTL_NS, OneTimeTokens
from caravan.server.state import Backend, MemoryBackend, SqliteBackend, StateStore
from caravan.server.state.backend import Change
from caravan.structs.acl import ACLPolicy, ACLToken
from caravan.structs.one_time_token import StoredOneTimeToken
from tests.unit.server.test_acl_endpoint import StepClock

RULES = 'namespace "default" {\n  policy = "read"\n}\n'


def _open(tmp_path: Path, backend: Backend | None = None,
          clock: StepClock | None = None) -> tuple[ACLEndpoint, OneTimeTokens]:
    store = StateStore(backend or MemoryBackend())
    core = ServerCore(store=store, broker=EvalBroker(), clock=clock or StepClock(),
                      new_id=random_id)
    acls = ACLEndpoint(core, tmp_path / "server")
    return acls, OneTimeTokens(core, acls)


def _setup(tmp_path: Path, backend: Backend | None = None,
           clock: StepClock | None = None) -> tuple[ACLEndpoint, OneTimeTokens, Caller]:
    acls, otts = _open(tmp_path, backend, clock)
    acls.bootstrap()
    acls.upsert_policy(ACLPolicy(name="reader", rules=RULES))
    token, _ = acls.upsert_token(ACLToken.model_validate(
        {"Name": "alice", "Type": "client", "Policies": ["reader"]}))
    return acls, otts, acls.resolve(token.secret_id)


def test_a_one_time_secret_gives_the_creators_token_once(tmp_path: Path) -> None:
    _, otts, alice = _setup(tmp_path)
    ott, _ = otts.create(alice)
    assert ott.accessor_id == alice.token.accessor_id and ott.one_time_secret_id
    token, _ = otts.exchange(ott.one_time_secret_id)
    assert token.secret_id == alice.secret and token.name == "alice"
    with pytest.raises(PermissionDenied):
        otts.exchange(ott.one_time_secret_id)


def test_an_exchange_ends_every_one_time_secret_of_that_token(tmp_path: Path) -> None:
    _, otts, alice = _setup(tmp_path)
    first, _ = otts.create(alice)
    second, _ = otts.create(alice)
    otts.exchange(second.one_time_secret_id)
    with pytest.raises(PermissionDenied):
        otts.exchange(first.one_time_secret_id)


def test_a_one_time_secret_expires_after_ten_minutes(tmp_path: Path) -> None:
    clock = StepClock()
    acls, otts, alice = _setup(tmp_path, clock=clock)
    ott, _ = otts.create(alice)
    clock.now += TTL_NS + 1
    with pytest.raises(PermissionDenied):
        otts.exchange(ott.one_time_secret_id)
    otts.create(alice)  # the next write drops the expired row
    assert len(acls._core.store.acl.one_time_tokens()) == 1


@pytest.mark.parametrize("secret", ["", "not-a-uuid", random_id()])
def test_unknown_one_time_secrets_are_refused(tmp_path: Path, secret: str) -> None:
    _, otts, _ = _setup(tmp_path)
    with pytest.raises(PermissionDenied):
        otts.exchange(secret)


def test_the_anonymous_caller_gets_no_one_time_secret(tmp_path: Path) -> None:
    acls, otts, _ = _setup(tmp_path)
    with pytest.raises(PermissionDenied):
        otts.create(acls.resolve(""))


def test_a_deleted_token_cannot_be_exchanged_for(tmp_path: Path) -> None:
    acls, otts, alice = _setup(tmp_path)
    ott, _ = otts.create(alice)
    acls.delete_token(alice.token.accessor_id)
    with pytest.raises(PermissionDenied):
        otts.exchange(ott.one_time_secret_id)


def test_the_state_file_holds_neither_secret(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    _, otts, alice = _setup(tmp_path, SqliteBackend(db))
    ott, _ = otts.create(alice)
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("state.db*"))
    assert alice.token.accessor_id.encode() in raw  # the row is there ...
    assert alice.secret.encode() not in raw  # ... but not the secrets
    assert ott.one_time_secret_id.encode() not in raw
    # and the row survives a restart: the exchange works from the reopened file
    _, reopened = _open(tmp_path, SqliteBackend(db))
    token, _ = reopened.exchange(ott.one_time_secret_id)
    assert token.secret_id == alice.secret


class Recording(MemoryBackend):
    """Keeps each commit's rows, as the etcd watch hands them to the other servers."""

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[Change] = []

    def commit(self, change: Change) -> None:
        super().commit(change)
        self.changes.append(change)


def test_a_follower_replays_one_time_tokens_and_their_removal(tmp_path: Path) -> None:
    leader = Recording()
    _, otts, alice = _setup(tmp_path, leader)
    follower = StateStore(MemoryBackend())
    ott, _ = otts.create(alice)
    for change in leader.changes:
        follower.apply_remote(change)
    key = hash_secret(ott.one_time_secret_id)
    assert follower.acl.one_time_token(key) is not None
    assert follower.acl.one_time_token(key) == otts_row(otts, key)
    otts.exchange(ott.one_time_secret_id)
    follower.apply_remote(leader.changes[-1])
    assert follower.acl.one_time_token(key) is None


def otts_row(otts: OneTimeTokens, key: str) -> StoredOneTimeToken | None:
    return otts._core.store.acl.one_time_token(key)
