"""A commit's rows as Nomad's events: topic, type, key, filter keys and payload.

The rows of a `Change` are the objects' JSON with Nomad's names, so a payload is the
row itself. The leader and every follower on etcd see the same `Change` (its own
commit, or the etcd watch's replay of it), so every server streams the same events.

Nomad names an event's type after the request that wrote it; a commit here carries
only rows, so the type is read off the row: a job written stopped was deregistered,
an allocation created at this index is a plan's result, later writes are updates.
Rows no topic covers (job versions, node secrets, audit records) produce nothing.
"""

from __future__ import annotations

import json
from typing import Any

from caravan.server.events import event as t
from caravan.server.events.event import Event
from caravan.server.state.backend import Change

# (see before.py) a node's drain and eligibility, a deployment's promotions and health
NODE_BEFORE, DEPLOYMENT_BEFORE = "nodes:before", "deployments:before"

Row = dict[str, Any]
Deleted = dict[tuple[str, str], Row]  # (table, key) -> the object before this commit


def events_of(change: Change, deleted: Deleted) -> list[Event]:
    found: list[Event] = []
    for (table, key), raw in change.rows.items():
        decode = _DECODERS.get(table)
        if decode is None:
            continue
        row = json.loads(raw) if raw is not None else deleted.get((table, key))
        made: Event | None
        if table == "nodes" and row is not None and raw is not None:
            made = _node_update(row, deleted.get((NODE_BEFORE, key)), change.index)
        elif table == "deployments" and row is not None and raw is not None:
            made = _deployment(row, deleted.get((DEPLOYMENT_BEFORE, key)), change.index)
        else:
            made = decode(row, raw is None, change.index) if row is not None else None
        if made is not None:
            found.append(made)
    return found


def _job(row: Row, gone: bool, index: int) -> Event:
    stopped = gone or bool(row.get("Stop"))
    payload: Row = {"Job": row}
    if gone:
        payload["Deleted"] = True
    return Event(t.JOB, "JobDeregistered" if stopped else "JobRegistered", row.get("ID", ""),
                 row.get("Namespace", ""), [], index, payload)


def _alloc(row: Row, gone: bool, index: int) -> Event | None:
    if gone:
        return None  # Nomad publishes no event when an allocation is collected
    row["Job"] = None  # as Nomad: the alloc's job is left out to keep events small
    kind = "PlanResult" if row.get("CreateIndex") == index else "AllocationUpdated"
    keys = [k for k in (row.get("JobID", ""), row.get("DeploymentID", "")) if k]
    return Event(t.ALLOCATION, kind, row.get("ID", ""), row.get("Namespace", ""), keys,
                 index, {"Allocation": row})


def _eval(row: Row, gone: bool, index: int) -> Event | None:
    if gone:
        return None
    keys = [k for k in (row.get("JobID", ""), row.get("DeploymentID", "")) if k]
    return Event(t.EVALUATION, "EvaluationUpdated", row.get("ID", ""),
                 row.get("Namespace", ""), keys, index, {"Evaluation": row})


def _deployment(row: Row, before: Row | None, index: int) -> Event:
    """Written again: a group promoted, an allocation's health counted, or else a status."""
    kind = "DeploymentStatusUpdate"
    if before is not None:
        groups = row.get("TaskGroups") or {}
        if sorted(n for n, s in groups.items() if s.get("Promoted")) != before["Promoted"]:
            kind = "DeploymentPromotion"
        elif sorted([n, s.get("HealthyAllocs", 0), s.get("UnhealthyAllocs", 0)]
                    for n, s in groups.items()) != [list(h) for h in before["Health"]]:
            kind = "DeploymentAllocHealth"
    keys = [k for k in (row.get("JobID", ""),) if k]
    return Event(t.DEPLOYMENT, kind, row.get("ID", ""), row.get("Namespace", ""), keys,
                 index, {"Deployment": row})


def _node(row: Row, gone: bool, index: int) -> Event:
    row.pop("SecretID", None)
    kind = "NodeDeregistration" if gone else "NodeRegistration"
    return Event(t.NODE, kind, row.get("ID", ""), "", [], index, {"Node": row})


def _node_update(row: Row, before: Row | None, index: int) -> Event:
    """A node written again: a drain or eligibility change, else a status update."""
    if before is None or row.get("CreateIndex") == index:
        return _node(row, False, index)
    row.pop("SecretID", None)
    if row.get("Drain") != before["Drain"]:
        kind = "NodeDrain"
    elif row.get("SchedulingEligibility") != before["SchedulingEligibility"]:
        kind = "NodeEligibility"
    else:
        kind = "NodeStreamEvent"
    return Event(t.NODE, kind, row.get("ID", ""), "", [], index, {"Node": row})


def _service(row: Row, gone: bool, index: int) -> Event:
    keys = [k for k in (row.get("JobID", ""), row.get("ServiceName", "")) if k]
    return Event(t.SERVICE, "ServiceDeregistration" if gone else "ServiceRegistration",
                 row.get("ID", ""), row.get("Namespace", ""), keys, index, {"Service": row})


def _token(row: Row, gone: bool, index: int) -> Event:
    # Rows keep a hash of the secret: neither it nor the secret ever leaves in an event.
    row.pop("SecretHash", None)
    row["SecretID"] = ""
    return Event(t.ACL_TOKEN, "ACLTokenDeleted" if gone else "ACLTokenUpserted",
                 row.get("AccessorID", ""), "", [], index, {"ACLToken": row})


def _policy(row: Row, gone: bool, index: int) -> Event:
    return Event(t.ACL_POLICY, "ACLPolicyDeleted" if gone else "ACLPolicyUpserted",
                 row.get("Name", ""), "", [], index, {"ACLPolicy": row})


def _variable(row: Row, gone: bool, index: int) -> Event:
    # Only the metadata: the items stay encrypted at rest and out of the stream.
    meta = {k: v for k, v in row.items() if k not in ("Data", "KeyID")}
    return Event(t.VARIABLE, "VariableUpdated", row.get("Path", ""), row.get("Namespace", ""),
                 [], index, {"Metadata": meta, "Deleted": gone})


def _no_event(row: Row, gone: bool, index: int) -> None:
    return None  # a collected deployment: Nomad publishes nothing


_DECODERS = {
    "jobs": _job, "allocs": _alloc, "evals": _eval, "deployments": _no_event,
    "nodes": _node, "services": _service, "acl_tokens": _token, "acl_policies": _policy,
    "variables": _variable,
}
