"""`variables { path }` rules and a workload's implicit paths, as Nomad resolves them."""

from __future__ import annotations

from caravan.acl import compile_acl, parse_policy
from caravan.acl.variables import WorkloadClaim

RULES = '''
namespace "default" {
  variables {
    path "app/*" { capabilities = ["read"] }
    path "app/secret" { capabilities = ["deny"] }
    path "ops/x" { capabilities = ["write", "destroy"] }
  }
}
namespace "team-*" {
  variables {
    path "*" { capabilities = ["list"] }
  }
}
'''


def test_exact_paths_win_then_the_closest_glob() -> None:
    acl = compile_acl([parse_policy(RULES)])
    assert acl.allow_variable_operation("default", "app/db", "read")
    assert acl.allow_variable_operation("default", "app/db", "list")  # read implies list
    assert not acl.allow_variable_operation("default", "app/db", "write")
    assert not acl.allow_variable_operation("default", "app/secret", "read")
    assert acl.allow_variable_operation("default", "ops/x", "destroy")
    assert not acl.allow_variable_operation("default", "ops/y", "write")
    assert acl.allow_variable_operation("team-a", "anything", "list")
    assert not acl.allow_variable_operation("team-a", "anything", "read")
    assert not acl.allow_variable_operation("other", "app/db", "read")


def test_deny_in_any_policy_wins_over_grants_in_another() -> None:
    grant = parse_policy('namespace "default" { variables { path "a" { '
                         'capabilities = ["read", "write"] } } }')
    deny = parse_policy('namespace "default" { variables { path "a" { '
                        'capabilities = ["deny"] } } }')
    acl = compile_acl([grant, deny])
    assert not acl.allow_variable_operation("default", "a", "read")


def test_a_workload_reads_only_its_own_paths() -> None:
    acl = compile_acl([])
    claim = WorkloadClaim("default", "web", "g", "t")
    for path in ("nomad/jobs", "nomad/jobs/web", "nomad/jobs/web/g", "nomad/jobs/web/g/t"):
        assert acl.allow_variable_operation("default", path, "read", claim)
        assert acl.allow_variable_operation("default", path, "list", claim)
        assert not acl.allow_variable_operation("default", path, "write", claim)
        assert not acl.allow_variable_operation("team-a", path, "read", claim)
    for path in ("nomad/jobs/web2", "nomad/jobs/other", "nomad/jobs/web/g/t/x",
                 "nomad/jobs/web/other", "app/db"):
        assert not acl.allow_variable_operation("default", path, "read", claim)
    assert not acl.allow_variable_operation("default", "nomad/jobs/web", "read")


def test_an_exact_deny_overrides_the_implicit_access() -> None:
    acl = compile_acl([parse_policy('namespace "default" { variables { '
                                    'path "nomad/jobs/web" { capabilities = ["deny"] } } }')])
    claim = WorkloadClaim("default", "web", "g", "t")
    assert not acl.allow_variable_operation("default", "nomad/jobs/web", "read", claim)
    assert acl.allow_variable_operation("default", "nomad/jobs/web/g", "read", claim)
