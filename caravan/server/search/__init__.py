"""Nomad's search: `/v1/search` (ID prefixes) and `/v1/search/fuzzy` (substrings)."""

from __future__ import annotations

from caravan.acl import ACL
from caravan.server.core import ServerCore
from caravan.server.search.contexts import ALL, CONTEXTS
from caravan.server.search.fuzzy import MIN_TERM_LENGTH, FuzzyResult, fuzzy_search
from caravan.server.search.prefix import PrefixResult, prefix_search

__all__ = ["ALL", "CONTEXTS", "MIN_TERM_LENGTH", "SearchEndpoint"]


class SearchEndpoint:
    """Reads only; `acl` None means ACLs are disabled (everything is visible)."""

    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def prefix(self, acl: ACL | None, prefix: str, context: str,
               namespace: str) -> tuple[PrefixResult, int]:
        store = self._core.store
        return prefix_search(store, acl, prefix, context, namespace), store.index

    def fuzzy(self, acl: ACL | None, text: str, context: str,
              namespace: str) -> tuple[FuzzyResult, int]:
        store = self._core.store
        return fuzzy_search(store, acl, text, context, namespace), store.index
