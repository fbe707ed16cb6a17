"""One event of Nomad's event stream, and the batch one commit produced.

An event's JSON is built once, the first time any subscriber needs it, and shared
by every subscriber after that: a hundred watchers of the same commit cost one
encoding, not a hundred.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# Nomad's topics (nomad/structs/event.go); "*" means every topic.
JOB, ALLOCATION, EVALUATION, DEPLOYMENT = "Job", "Allocation", "Evaluation", "Deployment"
NODE, SERVICE, VARIABLE = "Node", "Service", "Variable"
ACL_TOKEN, ACL_POLICY = "ACLToken", "ACLPolicy"
ALL = "*"


@dataclass
class Event:
    topic: str
    type: str
    key: str
    namespace: str
    filter_keys: list[str]
    index: int
    payload: dict[str, Any]
    _json: str | None = field(default=None, repr=False)

    def matches(self, key: str) -> bool:
        """A topic filter `Topic:key`: the event's key or one of its filter keys."""
        return key == ALL or key == self.key or key in self.filter_keys

    def json(self) -> str:
        if self._json is None:
            self._json = json.dumps({
                "Topic": self.topic, "Type": self.type, "Key": self.key,
                "Namespace": self.namespace, "FilterKeys": self.filter_keys or None,
                "Index": self.index, "Payload": self.payload,
            }, separators=(",", ":"))
        return self._json


def batch_line(index: int, events: list[Event]) -> bytes:
    """One ndjson line: `{"Index": N, "Events": [...]}` as Nomad frames a commit's events."""
    body = ",".join(e.json() for e in events)
    return f'{{"Index":{index},"Events":[{body}]}}\n'.encode()
