"""Nomad's search contexts: which objects each one lists, by which ID, and who sees them.

`Found` is one object a context may match: its ID (or name or path), its namespace
("" for objects outside namespaces) and the object itself for fuzzy matching. What a
token may see follows Nomad's search endpoint: read-job for allocs, jobs, evals and
deployments; node read for nodes; any variable rule for vars; any rule at all for
a namespace; node-pool read for node pools.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from caravan.acl import ACL
from caravan.acl.capabilities import NamespaceCapability
from caravan.server.state import StateStore

ALLOCS, DEPLOYMENTS, EVALS, JOBS = "allocs", "deployment", "evals", "jobs"
NODES, NODE_POOLS, NAMESPACES, VARIABLES = "nodes", "node_pools", "namespaces", "vars"
PLUGINS, VOLUMES, SCALING, HOST_VOLUMES = "plugins", "volumes", "scaling_policy", "host_volumes"
ALL = "all"
# Nomad CE's contexts, in its order; the last four hold nothing on caravan (no CSI,
# no scaling policies, no dynamic host volumes) and always answer empty.
CONTEXTS = (ALLOCS, JOBS, NODES, NODE_POOLS, EVALS, DEPLOYMENTS, PLUGINS, VOLUMES, SCALING,
            VARIABLES, NAMESPACES, HOST_VOLUMES)
ALL_NAMESPACES = "*"
_READ_JOB = NamespaceCapability.READ_JOB
_JOB_CONTEXTS = (ALLOCS, JOBS, EVALS, DEPLOYMENTS)


@dataclass(frozen=True)
class Found:
    id: str
    namespace: str
    obj: Any


def expand(context: str) -> tuple[str, ...]:
    return CONTEXTS if context == ALL else (context,)


def objects(store: StateStore, context: str, namespace: str) -> Iterator[Found]:
    """Every object of `context` in `namespace` ("*": every namespace), sorted by ID."""
    found = sorted(_all(store, context), key=lambda f: (f.id, f.namespace))
    for item in found:
        if not item.namespace or namespace in (ALL_NAMESPACES, item.namespace):
            yield item


def _all(store: StateStore, context: str) -> Iterator[Found]:
    if context == JOBS:
        yield from (Found(j.id, j.namespace, j) for j in store.jobs())
    elif context == ALLOCS:
        yield from (Found(a.id, a.namespace, a) for a in store.allocs())
    elif context == EVALS:
        yield from (Found(e.id, e.namespace, e) for e in store.evals())
    elif context == DEPLOYMENTS:
        yield from (Found(d.id, d.namespace, d) for d in store.deployments.all())
    elif context == NODES:
        yield from (Found(n.id, "", n) for n in store.nodes())
    elif context == NODE_POOLS:
        pools = {"all", "default"} | {n.node_pool for n in store.nodes()}
        yield from (Found(p, "", p) for p in pools)
    elif context == NAMESPACES:
        yield from (Found(ns.name, "", ns) for ns in store.acl.namespaces())
    elif context == VARIABLES:
        yield from (Found(v.path, v.namespace, v) for v in store.variables.list("*"))


def context_allowed(acl: ACL | None, context: str, namespace: str) -> bool:
    """May the token search `context` in `namespace` at all (Nomad's per-context check)."""
    if acl is None or acl.is_management:
        return True
    if context in _JOB_CONTEXTS or context == SCALING:
        return acl.allow_namespace_operation(namespace, _READ_JOB)
    if context == NODES:
        return acl.allow_node_read()
    if context == NODE_POOLS:
        return any(acl.allow_node_pool_operation(p, "read") for p in ("all", "default"))
    if context == NAMESPACES:
        return acl.allow_namespace(namespace)
    if context == VARIABLES:
        return acl.allow_variable_search(namespace)
    if context == PLUGINS:
        return acl.allow_plugin_list()
    if context in (VOLUMES, HOST_VOLUMES):
        return acl.allow_namespace_operation(namespace, _READ_JOB)
    return False


def visible(acl: ACL | None, context: str, item: Found) -> bool:
    """One object, for searches over every namespace: the object's own namespace decides."""
    if acl is None or acl.is_management:
        return True
    if context in (JOBS, ALLOCS, EVALS, DEPLOYMENTS):
        return acl.allow_namespace_operation(item.namespace, _READ_JOB)
    if context == VARIABLES:
        return acl.allow_variable_search(item.namespace)
    if context == NAMESPACES:
        return acl.allow_namespace(item.id)
    if context == NODE_POOLS:
        return acl.allow_node_pool_operation(item.id, "read")
    if context == NODES:
        return acl.allow_node_read()
    return False
