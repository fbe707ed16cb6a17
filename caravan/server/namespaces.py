"""Namespaces as stored rows; `default` always exists."""

from __future__ import annotations

from caravan.server.state import StateStore

DEFAULT_NAMESPACE = "default"
NAMESPACE_TABLE = "namespaces"


def namespace_exists(store: StateStore, name: str) -> bool:
    return name == DEFAULT_NAMESPACE or name in store.rows(NAMESPACE_TABLE)
