"""The event broker and subscriptions on a real in-memory store: commits become events,
a slow subscriber that fell off the ring is told so, filters follow Nomad's rules."""

from __future__ import annotations

import pytest

from caravan.acl import ACL
from caravan.errors import InvalidInput, PermissionDenied
from caravan.server.events import EventBroker, Lost, attach
from caravan.server.events.subscription import Subscription, check_topics, parse_topics
from caravan.server.state import StateStore
from caravan.server.state.sqlite import MemoryBackend
from caravan.structs import Job, Node, ServiceRegistration
from caravan.structs.deployment import Deployment, DeploymentState


def _register(store: StateStore, job_id: str, namespace: str = "default") -> int:
    txn = store.begin(now_ns=1)
    txn.jobs.append(Job(id=job_id, namespace=namespace))
    return store.commit(txn)


def _purge(store: StateStore, job_id: str) -> int:
    txn = store.begin(now_ns=2)
    txn.job_deletes.append(("default", job_id))
    return store.commit(txn)


def test_commits_become_events_and_a_purge_carries_the_job() -> None:
    store = StateStore(MemoryBackend())
    broker = attach(store)
    first = _register(store, "web")
    _purge(store, "web")
    entries = broker.after(broker.start(0))
    events = [e for entry in entries for e in entry.events()]
    assert [(e.type, e.key, e.index) for e in events] == [
        ("JobRegistered", "web", first), ("JobDeregistered", "web", first + 1)]
    assert events[1].payload["Deleted"] is True
    assert events[1].payload["Job"]["ID"] == "web"  # read before the delete was applied


def test_start_index_and_lost_subscriber() -> None:
    store = StateStore(MemoryBackend())
    broker = attach(store, size=3)
    indexes = [_register(store, f"j{i}") for i in range(5)]
    # Asking from an index replays from the first kept commit at or after it.
    assert [e.index for e in broker.after(broker.start(indexes[3]))] == indexes[3:]
    # Asking from before the ring's tail starts at the oldest entry kept.
    assert [e.index for e in broker.after(broker.start(1))] == indexes[2:]
    cursor = broker.start(indexes[4] + 1)
    assert broker.after(cursor) == []
    stale = 0  # read nothing while three commits pushed everything it had not read out
    with pytest.raises(Lost):
        broker.after(stale)


def test_topic_parsing() -> None:
    assert parse_topics([]) == {"*": ["*"]}
    assert parse_topics(["Job", "Job:web", "Node"]) == {"Job": ["*", "web"], "Node": ["*"]}
    with pytest.raises(InvalidInput):
        parse_topics(["Job:a:b"])


def test_filters_by_key_filter_key_and_namespace() -> None:
    store = StateStore(MemoryBackend())
    broker: EventBroker = attach(store)
    _register(store, "web")
    _register(store, "api")
    _register(store, "web", namespace="other")
    events = [e for entry in broker.after(broker.start(0)) for e in entry.events()]
    sub = Subscription(parse_topics(["Job:web"]), frozenset({"default"}))
    assert [(e.key, e.namespace) for e in sub.select(events)] == [("web", "default")]
    every = Subscription(parse_topics([]), frozenset({"default", "other"}))
    assert len(every.select(events)) == 3
    nodes_only = Subscription(parse_topics(["Node"]), frozenset({"default"}))
    assert nodes_only.select(events) == []


def test_acl_rules_for_topics() -> None:
    check_topics(ACL.management(), {"*": ["*"]}, ["default"])
    check_topics(None, {"*": ["*"]}, ["default"])  # ACLs disabled
    for topics in ({"*": ["*"]}, {"ACLToken": ["*"]}, {"Job": ["*"]}, {"Node": ["*"]}):
        with pytest.raises(PermissionDenied):
            check_topics(ACL(), topics, ["default"])


def test_the_ring_is_bounded_by_bytes_too() -> None:
    store = StateStore(MemoryBackend())
    broker = EventBroker(size=100, max_bytes=1)  # every commit is over: one entry is kept
    store.observe(lambda change: broker.publish(change, {}))
    indexes = [_register(store, f"big{i}") for i in range(3)]
    assert [e.index for e in broker.after(broker.start(0))] == indexes[-1:]
    with pytest.raises(Lost):
        broker.after(0)


def test_node_event_types_follow_what_changed() -> None:
    store = StateStore(MemoryBackend())
    broker = attach(store)
    writes = [{}, {"status": "ready"}, {"scheduling_eligibility": "ineligible"},
              {"drain": True}]
    node = Node(id="n1", name="n1")
    for update in writes:
        node = node.model_copy(update=update)
        txn = store.begin(now_ns=1)
        txn.nodes.append(node)
        store.commit(txn)
    txn = store.begin(now_ns=2)
    txn.node_deletes.append("n1")
    store.commit(txn)
    events = [e for entry in broker.after(broker.start(0)) for e in entry.events()]
    assert [e.type for e in events] == ["NodeRegistration", "NodeStreamEvent",
                                        "NodeEligibility", "NodeDrain", "NodeDeregistration"]
    assert events[-1].payload["Node"]["ID"] == "n1"


def test_deployment_event_types_follow_what_changed() -> None:
    store = StateStore(MemoryBackend())
    broker = attach(store)
    d = Deployment(id="d1", job_id="web", task_groups={"g": DeploymentState()})
    changes = [lambda d: d, lambda d: _group(d, healthy_allocs=1),
               lambda d: _group(d, promoted=True),
               lambda d: d.model_copy(update={"status": "successful"})]
    for change in changes:
        d = change(d)
        txn = store.begin(now_ns=1)
        txn.deployments.append(d)
        store.commit(txn)
    events = [e for entry in broker.after(broker.start(0)) for e in entry.events()]
    assert [e.type for e in events] == ["DeploymentStatusUpdate", "DeploymentAllocHealth",
                                        "DeploymentPromotion", "DeploymentStatusUpdate"]
    assert events[0].filter_keys == ["web"]


def _group(d: Deployment, **update: object) -> Deployment:
    state = d.task_groups["g"].model_copy(update=update)
    return d.model_copy(update={"task_groups": {"g": state}})


def test_service_events_carry_job_and_name_filter_keys() -> None:
    store = StateStore(MemoryBackend())
    broker = attach(store)
    reg = ServiceRegistration(id="_svc-1", service_name="web-http", job_id="web",
                              namespace="default", alloc_id="a1")
    for value in (reg, None):
        txn = store.begin(now_ns=1)
        txn.services[reg.id] = value
        store.commit(txn)
    events = [e for entry in broker.after(broker.start(0)) for e in entry.events()]
    assert [e.type for e in events] == ["ServiceRegistration", "ServiceDeregistration"]
    assert all(e.filter_keys == ["web", "web-http"] for e in events)
    assert events[1].payload["Service"]["ServiceName"] == "web-http"  # read before the delete
    by_job = Subscription(parse_topics(["Service:web"]), frozenset({"default"}))
    assert len(by_job.select(events)) == 2
