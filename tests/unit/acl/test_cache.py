"""The compiled-ACL cache: keyed by policy names and hashes, least recently used out."""

from __future__ import annotations

import pytest

from caravan.acl import ACLCache, PolicySource
from caravan.errors import InvalidInput

READ = PolicySource("ops", "h1", 'namespace "default" { policy = "read" }')
WRITE = PolicySource("ops", "h2", 'namespace "default" { policy = "write" }')
NODE = PolicySource("nodes", "n1", 'node { policy = "read" }')


def test_the_same_policies_in_any_order_share_one_compiled_acl() -> None:
    cache = ACLCache()
    first = cache.acl_for([READ, NODE])
    second = cache.acl_for([NODE, READ])
    assert first is second
    assert (cache.hits, cache.misses) == (1, 1)
    assert first.allow_node_read() and first.allow_namespace_operation("default", "read-job")


def test_an_edited_policy_has_a_new_hash_and_is_compiled_again() -> None:
    cache = ACLCache()
    before = cache.acl_for([READ])
    after = cache.acl_for([WRITE])
    assert before is not after
    assert not before.allow_namespace_operation("default", "submit-job")
    assert after.allow_namespace_operation("default", "submit-job")


def test_least_recently_used_entries_are_evicted() -> None:
    cache = ACLCache(max_entries=2)
    a = cache.acl_for([READ])
    cache.acl_for([WRITE])
    assert cache.acl_for([READ]) is a  # touch READ: WRITE is now the oldest
    cache.acl_for([NODE])
    assert len(cache) == 2
    assert cache.acl_for([READ]) is a
    misses = cache.misses
    cache.acl_for([WRITE])
    assert cache.misses == misses + 1


def test_no_policies_compile_to_an_acl_that_grants_nothing() -> None:
    nothing = ACLCache().acl_for([])
    assert not nothing.allow_namespace_operation("default", "list-jobs")
    assert not nothing.is_management


def test_a_stored_policy_that_no_longer_parses_fails_closed() -> None:
    with pytest.raises(InvalidInput):
        ACLCache().acl_for([PolicySource("bad", "x", 'namespace "a" { policy = "admin" }')])
