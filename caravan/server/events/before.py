"""What a commit's events need from the state before it: the objects it deletes, and
what a node was before this write.

A delete row carries no value, but Nomad's delete events carry the object as it
was (a purged job, a deregistered node, a deleted token): they are read here, from
the store's memory, before the commit is applied to it. A node's event type (drain,
eligibility, other updates) and a deployment's (promotion, allocation health, other
updates) depend on what changed, so the fields that tell are kept too.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from caravan.server.events.decode import DEPLOYMENT_BEFORE, NODE_BEFORE, Deleted
from caravan.server.state.backend import Change
from caravan.structs.base import Struct

if TYPE_CHECKING:
    from caravan.server.state.store import StateStore


def state_before(store: StateStore, change: Change) -> Deleted:
    found: Deleted = {}
    for (table, key), raw in change.rows.items():
        if raw is not None:
            if table == "nodes" and (node := store.node(key)) is not None:
                found[(NODE_BEFORE, key)] = {"Drain": node.drain,
                                             "SchedulingEligibility":
                                                 node.scheduling_eligibility}
            elif table == "deployments" and (d := store.deployments.get(key)) is not None:
                found[(DEPLOYMENT_BEFORE, key)] = {
                    "Promoted": sorted(n for n, s in d.task_groups.items() if s.promoted),
                    "Health": sorted((n, s.healthy_allocs, s.unhealthy_allocs)
                                     for n, s in d.task_groups.items())}
            continue
        before = _lookup(store, table, key)
        if before is not None:
            found[(table, key)] = json.loads(before.model_dump_json(by_alias=True))
    return found


def _lookup(store: StateStore, table: str, key: str) -> Struct | None:
    if table == "jobs":
        namespace, _, job_id = key.partition("\x00")
        return store.job(namespace, job_id)
    if table == "nodes":
        return store.node(key)
    if table == "services":
        return store.services.get(key)
    if table == "acl_tokens":
        return store.acl.token(key)
    if table == "acl_policies":
        return store.acl.policy(key)
    if table == "variables":
        namespace, _, path = key.partition("\x00")
        return store.variables.get(namespace, path)
    return None
