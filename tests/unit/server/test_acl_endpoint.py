"""ACL state: bootstrap once (and its reset file), policies, tokens, expiry, hashed secrets;
and the one authorization path's checks on ACL objects and namespaces."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

import pytest

from caravan.acl import Caller, Coarse, NamespaceCapability, authorize
from caravan.acl.authorize import (
    authorize_namespace_use,
    authorize_policy_read,
    authorize_token_read,
)
from caravan.errors import InvalidInput, NotFound, PermissionDenied, TokenNotFound
from caravan.ids import random_id
from caravan.server.acl_endpoint import ACLEndpoint
from caravan.server.core import ServerCore
from caravan.server.eval_broker import EvalBroker
from caravan.server.namespace_endpoint import NamespaceEndpoint
from caravan.server.state import Backend, MemoryBackend, SqliteBackend, StateStore
from caravan.structs import Allocation, Job, Node, Task, TaskGroup
from caravan.structs.acl import ACLPolicy, ACLToken, Namespace

S = 1_000_000_000
OPS = 'namespace "default" {\n  policy = "write"\n}\nnode {\n  policy = "read"\n}\n'


@dataclass
class StepClock:
    """A clock the test moves forward (token expiry without sleeping)."""

    now: int = 1_700_000_000 * S

    def now_ns(self) -> int:
        return self.now


def _endpoint(tmp_path: Path, backend: Backend | None = None,
              clock: StepClock | None = None) -> ACLEndpoint:
    store = StateStore(backend or MemoryBackend())
    core = ServerCore(store=store, broker=EvalBroker(), clock=clock or StepClock(),
                      new_id=random_id)
    return ACLEndpoint(core, tmp_path / "server")


def _root(acls: ACLEndpoint) -> Caller:
    token, _ = acls.bootstrap()
    return acls.resolve(token.secret_id)


def _client_token(acls: ACLEndpoint, root: Caller, **fields: object) -> ACLToken:
    acls.upsert_policy(ACLPolicy(name="ops", rules=OPS))
    wanted = ACLToken.model_validate({"Name": "alice", "Type": "client", "Policies": ["ops"],
                                      **fields})
    token, _ = acls.upsert_token(wanted)
    return token


def test_bootstrap_returns_a_management_token_once(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    token, index = acls.bootstrap()
    assert (token.name, token.type, token.global_) == ("Bootstrap Token", "management", True)
    assert len(token.secret_id) == 36 and token.accessor_id != token.secret_id
    assert acls.resolve(token.secret_id).acl.is_management
    with pytest.raises(InvalidInput) as caught:
        acls.bootstrap()
    assert str(caught.value) == f"ACL bootstrap already done (reset index: {index})"


def test_the_reset_file_allows_one_more_bootstrap(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    _, index = acls.bootstrap()
    (tmp_path / "server").mkdir()
    reset = tmp_path / "server" / "acl-bootstrap-reset"
    reset.write_text(f"{index + 5}\n")
    with pytest.raises(InvalidInput) as caught:
        acls.bootstrap()
    assert str(caught.value) == (f"Invalid bootstrap reset index (specified {index + 5}, "
                                 f"reset index: {index})")
    reset.write_text(f"{index}\n")
    second, second_index = acls.bootstrap()
    assert acls.resolve(second.secret_id).acl.is_management
    with pytest.raises(InvalidInput) as again:
        acls.bootstrap()  # the file still names the old index
    assert f"reset index: {second_index}" in str(again.value)


def test_bootstrap_with_a_chosen_secret(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    with pytest.raises(InvalidInput, match="^invalid acl token$"):
        acls.bootstrap("not-a-uuid")
    chosen = random_id()
    token, _ = acls.bootstrap(chosen)
    assert token.secret_id == chosen
    assert acls.resolve(chosen).acl.is_management


def test_acl_endpoints_refuse_when_acls_are_disabled(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    acls.enabled = False
    with pytest.raises(InvalidInput, match="^ACL support disabled$"):
        acls.bootstrap()
    assert acls.resolve_token("anything") is None


def test_secrets_are_stored_hashed(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    acls = _endpoint(tmp_path, SqliteBackend(db))
    root = _root(acls)
    token = _client_token(acls, root)
    rows = sqlite3.connect(db).execute("SELECT tbl, key, value FROM rows").fetchall()
    stored = " ".join(f"{t} {k} {v}" for t, k, v in rows)
    assert token.accessor_id in stored
    for secret in (root.secret, token.secret_id):
        assert secret not in stored
    # Reads after creation cannot show the secret; the caller's own does.
    info = acls.token(token.accessor_id)
    assert info is not None and info.secret_id == ""
    assert all("SecretID" not in stub.to_wire() for stub in acls.list_tokens()[0])
    mine = acls.resolve(token.secret_id)
    assert acls.self_token(mine)[0].secret_id == token.secret_id


def test_tokens_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    acls = _endpoint(tmp_path, SqliteBackend(db))
    token = _client_token(acls, _root(acls))
    reopened = _endpoint(tmp_path, SqliteBackend(db))
    caller = reopened.resolve(token.secret_id)
    assert caller.acl.allow_namespace_operation("default", NamespaceCapability.ALLOC_EXEC)
    assert not caller.acl.is_management


def test_unknown_and_malformed_secrets_are_not_found(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    _root(acls)
    for secret in (random_id(), "garbage"):
        with pytest.raises(TokenNotFound) as caught:
            acls.resolve(secret)
        assert str(caught.value) == "ACL token not found"


def test_a_node_secret_is_not_an_acl_token(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    _root(acls)
    core = acls._core
    node_secret = random_id()
    txn = core.begin()
    txn.nodes.append(Node(id="n1", name="n1"))
    txn.node_secrets["n1"] = node_secret
    core.store.commit(txn)
    assert acls.node_secret_matches("n1", node_secret)
    assert not acls.node_secret_matches("n1", random_id())
    assert not acls.node_secret_matches("n1", "")
    with pytest.raises(TokenNotFound):
        acls.resolve(node_secret)


def test_expired_tokens_are_refused(tmp_path: Path) -> None:
    clock = StepClock()
    acls = _endpoint(tmp_path, clock=clock)
    token = _client_token(acls, _root(acls), expiration_ttl="2m")
    assert token.expiration_time is not None
    assert acls.resolve(token.secret_id).acl.allow_node_read()
    clock.now += 121 * S
    with pytest.raises(PermissionDenied) as caught:
        acls.resolve(token.secret_id)
    assert str(caught.value) == "ACL token expired"


@pytest.mark.parametrize("ttl, message", [
    ("10s", "expiration time cannot be less than 1m0s in the future (was 10s)"),
    ("25h", "expiration time cannot be more than 24h0m0s in the future (was 25h0m0s)"),
    ("-5m", "token expiration TTL '-5m0s' should not be negative"),
])
def test_ttl_limits(tmp_path: Path, ttl: str, message: str) -> None:
    acls = _endpoint(tmp_path)
    with pytest.raises(InvalidInput) as caught:
        _client_token(acls, _root(acls), expiration_ttl=ttl)
    assert str(caught.value) == f"token 0 invalid: 1 error occurred:\n\t* {message}\n\n"


@pytest.mark.parametrize("fields, message", [
    ({"type": "client"}, "client token missing policies or roles"),
    ({"type": "management", "policies": ["ops"]},
     "management token cannot be associated with policies or roles"),
    ({"type": "root", "policies": ["ops"]}, "token type must be client or management"),
])
def test_token_type_rules(tmp_path: Path, fields: dict[str, object], message: str) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    with pytest.raises(InvalidInput) as caught:
        acls.upsert_token(ACLToken.model_validate(fields))
    assert message in str(caught.value)


def test_only_management_tokens_manage_acls(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    token = _client_token(acls, root)
    alice = acls.resolve(token.secret_id)
    acls.upsert_policy(ACLPolicy(name="other", rules=OPS))
    # Policy writes, token lists and writes, deletes: management only.
    authorize(root.acl, Coarse.MANAGEMENT)
    with pytest.raises(PermissionDenied):
        authorize(alice.acl, Coarse.MANAGEMENT)
    with pytest.raises(PermissionDenied):
        authorize_token_read(alice, acls.token(root.token.accessor_id))
    with pytest.raises(PermissionDenied):
        authorize_token_read(alice, None)  # a missing token is not revealed either
    with pytest.raises(PermissionDenied):
        authorize_policy_read(alice, "other")
    # ... but a token reads itself and the policies it holds (and `anonymous`).
    own = acls.token(token.accessor_id)
    authorize_token_read(alice, own)
    assert own is not None and own.name == "alice"
    authorize_policy_read(alice, "ops")
    assert acls.get_policy("ops")[0].rules == OPS
    assert [p.name for p in acls.list_policies()[0] if alice.holds_policy(p.name)] == ["ops"]
    authorize_policy_read(alice, "anonymous")
    with pytest.raises(NotFound, match="^ACL policy not found$"):
        acls.get_policy("anonymous")


def test_policy_edits_take_effect_on_the_next_resolution(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    token = _client_token(acls, root)
    assert acls.resolve(token.secret_id).acl.allow_namespace_operation("default", "submit-job")
    acls.upsert_policy(ACLPolicy(name="ops", rules='namespace "default" { policy = "read" }'))
    assert not acls.resolve(token.secret_id).acl.allow_namespace_operation("default",
                                                                           "submit-job")
    acls.delete_policy("ops")
    assert not acls.resolve(token.secret_id).acl.allow_namespace_operation("default",
                                                                           "read-job")


def test_invalid_policies_are_refused_with_line_and_field(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    with pytest.raises(InvalidInput) as caught:
        acls.upsert_policy(ACLPolicy(name="bad name", rules='namespace "x" {\n'
                                 '  policy = "admin"\n}'))
    text = str(caught.value)
    assert text.startswith("policy 0 invalid: 2 errors occurred:\n")
    assert "\t* invalid name 'bad name'\n" in text
    assert ('\t* failed to parse rules: line 2: namespace "x".policy: Invalid namespace '
            'policy: "admin"') in text
    assert caught.value.errors[0].line == 2


def test_anonymous_requests_get_the_anonymous_policy(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    nobody = acls.resolve("")
    assert nobody.token.accessor_id == "anonymous"
    assert not nobody.acl.allow_namespace_operation("default", "list-jobs")
    acls.upsert_policy(ACLPolicy(name="anonymous",
                                 rules='namespace "default" { policy = "read" }'))
    assert acls.resolve("").acl.allow_namespace_operation("default", "list-jobs")
    authorize_policy_read(acls.resolve(""), "anonymous")
    assert acls.get_policy("anonymous")[0].name == "anonymous"


def test_update_keeps_the_secret_and_refuses_ttl_changes(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    token = _client_token(acls, root, expiration_ttl="1h")
    info = acls.token(token.accessor_id)
    assert info is not None
    renamed, _ = acls.upsert_token(info.model_copy(update={"name": "alice2"}))
    assert renamed.name == "alice2" and renamed.secret_id == ""
    assert renamed.create_index == token.create_index
    assert acls.resolve(token.secret_id).token.name == "alice2"
    with pytest.raises(InvalidInput, match="cannot update expiration TTL"):
        acls.upsert_token(info.model_copy(update={"expiration_ttl": "2h0m0s"}))
    with pytest.raises(InvalidInput, match="cannot toggle global mode"):
        acls.upsert_token(info.model_copy(update={"global_": True}))


def test_deleting_a_token_revokes_it(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    token = _client_token(acls, root)
    acls.delete_token(token.accessor_id)
    with pytest.raises(TokenNotFound):
        acls.resolve(token.secret_id)
    with pytest.raises(InvalidInput, match="^Cannot delete nonexistent tokens: "):
        acls.delete_token(token.accessor_id)


def test_resolving_a_known_token_is_a_lookup(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    token = _client_token(acls, root)
    first = acls.resolve(token.secret_id)
    assert acls.resolve(token.secret_id) is first  # nothing changed: the same caller
    acls.upsert_policy(ACLPolicy(name="unrelated", rules='node { policy = "read" }'))
    again = acls.resolve(token.secret_id)
    assert again is not first and again.acl is first.acl  # resolved again, not recompiled
    assert (acls.cache.misses, acls.cache.hits) == (1, 1)


# ---- namespaces --------------------------------------------------------------------------


def _namespaces(acls: ACLEndpoint) -> NamespaceEndpoint:
    return NamespaceEndpoint(acls._core)


def test_default_exists_and_namespaces_are_filtered_by_the_acl(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    root = _root(acls)
    namespaces = _namespaces(acls)
    assert [n.name for n in namespaces.list()[0]] == ["default"]
    assert namespaces.get("default")[0].description == "Default shared namespace"
    namespaces.upsert(Namespace(name="team-a", description="team a"))
    namespaces.upsert(Namespace(name="team-b"))
    acls.upsert_policy(ACLPolicy(name="a", rules='namespace "team-a" { policy = "read" }'))
    token, _ = acls.upsert_token(ACLToken(policies=["a"]))
    reader = acls.resolve(token.secret_id).acl
    assert [n.name for n in namespaces.list(visible=reader.allow_namespace)[0]] == ["team-a"]
    assert [n.name for n in namespaces.list(visible=root.acl.allow_namespace)[0]] == [
        "default", "team-a", "team-b"]
    authorize_namespace_use(reader, "team-a")
    with pytest.raises(PermissionDenied):
        authorize_namespace_use(reader, "team-b")
    with pytest.raises(PermissionDenied):
        authorize_namespace_use(reader, "no-such")  # 403 first: existence is not revealed
    authorize_namespace_use(root.acl, "no-such")
    with pytest.raises(NotFound, match="^Namespace not found$"):
        namespaces.get("no-such")


def test_namespace_names_and_delete_rules(tmp_path: Path) -> None:
    namespaces = _namespaces(_endpoint(tmp_path))
    with pytest.raises(InvalidInput) as caught:
        namespaces.upsert(Namespace(name="team a"))
    assert str(caught.value).startswith('Invalid namespace "team a": 1 error occurred:\n'
                                        '\t* invalid name "team a". Must match regex ')
    with pytest.raises(InvalidInput, match="^can not delete default namespace$"):
        namespaces.delete("default")
    namespaces.upsert(Namespace(name="gone"))
    created = namespaces.get("gone")[0].create_index
    namespaces.upsert(Namespace(name="gone", description="again"))
    assert namespaces.get("gone")[0].create_index == created
    namespaces.delete("gone")
    with pytest.raises(NotFound):
        namespaces.get("gone")


def test_a_namespace_with_running_work_cannot_be_deleted(tmp_path: Path) -> None:
    acls = _endpoint(tmp_path)
    namespaces = _namespaces(acls)
    namespaces.upsert(Namespace(name="busy"))
    job = Job(id="web", namespace="busy", task_groups=[
        TaskGroup(name="g", tasks=[Task(name="t", driver="raw_exec")])])
    txn = acls._core.begin()
    txn.jobs.append(job)
    txn.allocs.append(Allocation(id=random_id(), namespace="busy", job_id="web", job=job,
                                 node_id="n1", client_status="running"))
    acls._core.store.commit(txn)
    with pytest.raises(InvalidInput) as caught:
        namespaces.delete("busy")
    assert 'namespace "busy" has non-terminal jobs in regions: [global]' in str(caught.value)
    assert 'namespace "busy" has non-terminal allocations in regions: [global]' in str(
        caught.value)


def test_namespaces_and_the_bootstrap_mark_survive_a_restart(tmp_path: Path) -> None:
    db = tmp_path / "state.db"
    acls = _endpoint(tmp_path, SqliteBackend(db))
    _, index = acls.bootstrap()
    _namespaces(acls).upsert(Namespace(name="team-a", description="a"))
    reopened = _endpoint(tmp_path, SqliteBackend(db))
    assert _namespaces(reopened).get("team-a")[0].description == "a"
    with pytest.raises(InvalidInput) as caught:
        reopened.bootstrap()
    assert str(caught.value) == f"ACL bootstrap already done (reset index: {index})"
