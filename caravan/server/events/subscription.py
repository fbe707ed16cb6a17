"""What one event-stream subscriber asked for and may see: topics, namespaces, ACL.

    ?topic=Job                every Job event        ?topic=Job:web   events keyed (or
    ?topic=Allocation:web     filter-keyed) "web"    no topic         every topic ("*")

Nomad's rules, checked when the stream opens and again before each batch (a token
deleted or stripped of its policies ends the stream): read-job in the namespace for
Job, Allocation, Evaluation, Deployment and Service; node read for Node; any
variable rule in the namespace for Variable (each event then by its path); every
other topic, and "*", only for a management token.
"""

from __future__ import annotations

from dataclasses import dataclass

from caravan.acl import ACL
from caravan.acl.capabilities import NamespaceCapability
from caravan.errors import InvalidInput, PermissionDenied
from caravan.server.events import event as t
from caravan.server.events.event import Event

_JOB_TOPICS = {t.JOB, t.ALLOCATION, t.EVALUATION, t.DEPLOYMENT, t.SERVICE}


def parse_topics(raw: list[str]) -> dict[str, list[str]]:
    """`topic` query values as topic -> keys; none means every topic."""
    if not raw:
        return {t.ALL: [t.ALL]}
    topics: dict[str, list[str]] = {}
    for value in raw:
        parts = value.split(":")
        if len(parts) > 2 or not parts[0]:
            raise InvalidInput(f"Invalid topic query: error parsing topics: Invalid key value "
                               f"pair for topic, topic: {value}")
        topics.setdefault(parts[0], []).append(parts[1] if len(parts) == 2 else t.ALL)
    return topics


def check_topics(acl: ACL | None, topics: dict[str, list[str]],
                 namespaces: list[str]) -> None:
    """PermissionDenied unless `acl` may read every topic in every namespace."""
    if acl is None or acl.is_management:
        return
    for topic in topics:
        for namespace in namespaces:
            if not _may_read(acl, topic, namespace):
                raise PermissionDenied()


def _may_read(acl: ACL, topic: str, namespace: str) -> bool:
    if topic in _JOB_TOPICS:
        return acl.allow_namespace_operation(namespace, NamespaceCapability.READ_JOB)
    if topic == t.NODE:
        return acl.allow_node_read()
    if topic == t.VARIABLE:
        return acl.allow_variable_search(namespace)
    return False  # ACL topics, "*" and any other: management only


@dataclass
class Subscription:
    topics: dict[str, list[str]]
    namespaces: frozenset[str]
    acl: ACL | None = None  # refreshed before each batch

    def wants(self, event: Event) -> bool:
        if event.namespace and event.namespace not in self.namespaces:
            return False
        keys = self.topics.get(t.ALL, []) + self.topics.get(event.topic, [])
        if not any(event.matches(key) for key in keys):
            return False
        if event.topic == t.VARIABLE and self.acl is not None:
            return self.acl.allow_variable_operation(event.namespace, event.key, "list")
        return True

    def select(self, events: list[Event]) -> list[Event]:
        return [e for e in events if self.wants(e)]
