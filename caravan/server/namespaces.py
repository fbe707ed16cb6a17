"""Namespaces in the state store's typed table; `default` always exists."""

from __future__ import annotations

from caravan.server.state import StateStore
from caravan.server.state.acl_tables import NAMESPACE_TABLE

DEFAULT_NAMESPACE = "default"
__all__ = ["DEFAULT_NAMESPACE", "NAMESPACE_TABLE", "namespace_exists"]


def namespace_exists(store: StateStore, name: str) -> bool:
    return name == DEFAULT_NAMESPACE or store.acl.namespace(name) is not None
