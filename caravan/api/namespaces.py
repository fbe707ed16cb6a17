"""`client.namespaces`: list, read, apply and delete namespaces (`/v1/namespace[s]`)."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs.acl import Namespace

NamespaceList = list[Namespace]

_NAMESPACE = TypeAdapter(Namespace)
_NAMESPACES = TypeAdapter(NamespaceList)


class Namespaces(SubAPI):
    def list(self, prefix: str = "",
             q: QueryOptions | None = None) -> tuple[NamespaceList, QueryMeta]:
        return self._read("/v1/namespaces", _NAMESPACES, merge(q, prefix=prefix))

    def info(self, name: str, q: QueryOptions | None = None) -> tuple[Namespace, QueryMeta]:
        return self._read(f"/v1/namespace/{path_id(name)}", _NAMESPACE, q)

    def register(self, namespace: Namespace, q: QueryOptions | None = None) -> None:
        """Create or update the namespace named `namespace.name`."""
        body = namespace.to_wire()
        for unset in ("Hash", "CreateIndex", "ModifyIndex"):
            body.pop(unset, None)
        self._client.write("PUT", f"/v1/namespace/{path_id(namespace.name)}", body, q)

    def delete(self, name: str, q: QueryOptions | None = None) -> None:
        self._client.write("DELETE", f"/v1/namespace/{path_id(name)}", None, q)
