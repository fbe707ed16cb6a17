"""`/v1/search`: objects whose ID starts with a prefix, at most 20 per context.

UUID-keyed contexts round an odd-length prefix down by one character, as Nomad's
UUID index does (jobs, named by the user, never are).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from caravan.acl import ACL
from caravan.server.search.contexts import JOBS, context_allowed, expand, objects, visible
from caravan.server.state import StateStore

TRUNCATE_LIMIT = 20


@dataclass
class PrefixResult:
    matches: dict[str, list[str] | None] = field(default_factory=dict)
    truncations: dict[str, bool] = field(default_factory=dict)


def prefix_search(store: StateStore, acl: ACL | None, prefix: str, context: str,
                  namespace: str) -> PrefixResult:
    result = PrefixResult()
    for ctx in expand(context):
        if not context_allowed(acl, ctx, namespace) and namespace != "*":
            continue
        found, truncated = matching_ids(store, acl, ctx, namespace, prefix, prefix)
        result.matches[ctx] = found or None  # Go's nil slice: `null` when nothing matched
        result.truncations[ctx] = truncated
    return result


def matching_ids(store: StateStore, acl: ACL | None, ctx: str, namespace: str,
                 scan: str, prefix: str) -> tuple[list[str], bool]:
    """Up to 20 IDs of `ctx` starting with `prefix`, and whether more were left out."""
    start = scan if ctx == JOBS else round_uuid_down(scan)
    ids: list[str] = []
    for item in objects(store, ctx, namespace):
        if not item.id.startswith(start) or not visible(acl, ctx, item):
            continue
        if len(ids) == TRUNCATE_LIMIT:
            return ids, True
        if item.id.startswith(prefix):
            ids.append(item.id)
    return ids, False


def round_uuid_down(prefix: str) -> str:
    digits = len(prefix) - prefix.count("-")
    return prefix if digits % 2 == 0 else prefix[:-1]
