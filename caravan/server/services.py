"""Keeping an allocation's service registrations in step with what its client reports.

A client sends, with each allocation update, the registrations that allocation should
have now; the server writes only the difference. It trusts the node for addresses
and ports, never for whose registrations they are: the allocation, node, namespace
and job come from the server's own record of the allocation, and an ID outside the
allocation's own prefix is dropped. An allocation that has ended loses them all.
"""

from __future__ import annotations

import logging

from caravan.structs import Allocation, ServiceRegistration

log = logging.getLogger(__name__)


def registration_prefix(alloc_id: str) -> str:
    """Nomad's service IDs: `_nomad-task-<alloc>-<task or group-<group>>-<name>-<port>`."""
    return f"_nomad-task-{alloc_id}-"


def sync_registrations(current: list[ServiceRegistration], alloc: Allocation,
                       reported: list[ServiceRegistration] | None
                       ) -> dict[str, ServiceRegistration | None]:
    """The writes (None: delete) that make `alloc`'s registrations what was reported."""
    if alloc.client_terminal():
        wanted: list[ServiceRegistration] = []
    elif reported is None:
        return {}  # nothing said about services this time
    else:
        wanted = [_owned(r, alloc) for r in reported
                  if r.id.startswith(registration_prefix(alloc.id))]
        if len(wanted) != len(reported):
            log.warning("node %s reported service registrations of another allocation than "
                        "%s; dropped", alloc.node_id, alloc.id)
    have = {r.id: r for r in current}
    writes: dict[str, ServiceRegistration | None] = {
        reg_id: None for reg_id in have.keys() - {r.id for r in wanted}}
    for reg in wanted:
        old = have.get(reg.id)
        if old is None or not old.same_as(reg):
            writes[reg.id] = reg
    return writes


def _owned(reg: ServiceRegistration, alloc: Allocation) -> ServiceRegistration:
    return reg.model_copy(update={"alloc_id": alloc.id, "node_id": alloc.node_id,
                                  "namespace": alloc.namespace, "job_id": alloc.job_id,
                                  "create_index": 0, "modify_index": 0})
