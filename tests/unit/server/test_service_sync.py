"""What a client reports about its allocation's services, and what the server writes."""

from __future__ import annotations

from caravan.server.services import sync_registrations
from caravan.structs import Allocation, ServiceRegistration

ALLOC = Allocation(id="a1", namespace="prod", job_id="web", node_id="n1",
                   client_status="running", desired_status="run")


def reg(name: str, alloc: str = "a1", port: int = 8080, **over: str) -> ServiceRegistration:
    """A registration as the server stores it for ALLOC (fields the node may not set)."""
    fields = {"namespace": "prod", "job_id": "web", "node_id": "n1", **over}
    return ServiceRegistration(id=f"_nomad-task-{alloc}-group-g-{name}-http", service_name=name,
                               alloc_id=alloc, port=port, **fields)


def test_only_the_difference_is_written() -> None:
    current = [reg("a"), reg("b")]
    writes = sync_registrations(current, ALLOC, [reg("a"), reg("b", port=9090), reg("c")])
    assert set(writes) == {reg("b").id, reg("c").id}
    assert writes[reg("b").id] is not None and writes[reg("b").id].port == 9090  # type: ignore[union-attr]
    assert sync_registrations(current, ALLOC, [reg("a")]) == {reg("b").id: None}
    assert sync_registrations(current, ALLOC, None) == {}  # nothing said: nothing changes


def test_ownership_comes_from_the_servers_record_not_the_node() -> None:
    forged = reg("x", namespace="default", job_id="other", node_id="n9")
    (written,) = sync_registrations([], ALLOC, [forged]).values()
    assert written is not None
    assert (written.namespace, written.job_id, written.node_id, written.alloc_id) == (
        "prod", "web", "n1", "a1")
    # a registration of another allocation is dropped, whatever the node claims
    assert sync_registrations([], ALLOC, [reg("y", alloc="a2")]) == {}


def test_an_allocation_that_ended_loses_its_registrations() -> None:
    lost = ALLOC.model_copy(update={"client_status": "lost"})
    assert sync_registrations([reg("a")], lost, [reg("a")]) == {reg("a").id: None}
