"""Namespaces: list, read, apply, delete. `default` always exists.

Namespaces live in the state store's typed `namespaces` table (`server/namespaces.py`
is what the job endpoint uses to refuse jobs in a namespace that does not exist). The
`default` namespace has no row until someone changes it; reads then show Nomad's
built-in one. Who may see or change which namespace is decided before the call, by
the HTTP layer's one authorization path.
"""

from __future__ import annotations

import re

from collections.abc import Callable

from caravan.acl.validate import multi_error
from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.server.namespaces import DEFAULT_NAMESPACE, NAMESPACE_TABLE
from caravan.server.summary import job_status
from caravan.structs.acl import Namespace

_NAME = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
MAX_DESCRIPTION = 256


def default_namespace() -> Namespace:
    return Namespace(name=DEFAULT_NAMESPACE, description="Default shared namespace",
                     create_index=1, modify_index=1)


class NamespaceEndpoint:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def _stored(self) -> dict[str, Namespace]:
        found = {ns.name: ns for ns in self._core.store.acl.namespaces()}
        found.setdefault(DEFAULT_NAMESPACE, default_namespace())
        return found

    def index(self) -> int:
        return self._core.store.table_index(NAMESPACE_TABLE)

    def list(self, prefix: str = "",
             visible: Callable[[str], bool] = lambda _name: True) -> tuple[list[Namespace], int]:
        """Namespaces whose name starts with `prefix` and that `visible` keeps."""
        found = [ns for name, ns in sorted(self._stored().items()) if name.startswith(prefix)
                 and visible(name)]
        return found, self.index()

    def get(self, name: str) -> tuple[Namespace, int]:
        namespace = self._stored().get(name)
        if namespace is None:
            raise NotFound("Namespace not found")
        return namespace, namespace.modify_index

    def upsert(self, namespace: Namespace) -> int:
        """Create or update; the caller must hold a management token (checked by http)."""
        problems = []
        if not _NAME.match(namespace.name):
            problems.append(f'invalid name "{namespace.name}". Must match regex '
                            f"{_NAME.pattern}")
        if len(namespace.description) > MAX_DESCRIPTION:
            problems.append(f"description longer than {MAX_DESCRIPTION}")
        if problems:
            raise InvalidInput(f'Invalid namespace "{namespace.name}": {multi_error(problems)}')
        existing = self._core.store.acl.namespace(namespace.name)
        txn = self._core.begin()
        create_index = existing.create_index if existing else txn.index
        txn.acl.namespaces[namespace.name] = namespace.model_copy(update={
            "create_index": create_index, "modify_index": txn.index,
            "hash": namespace.computed_hash()})
        return self._core.store.commit(txn)

    def delete(self, name: str) -> int:
        """Refused for `default` and while jobs or allocations in it are not terminal."""
        if name == DEFAULT_NAMESPACE:
            raise InvalidInput("can not delete default namespace")
        if self._core.store.acl.namespace(name) is None:
            raise NotFound("namespace not found")
        self._check_empty(name)
        txn = self._core.begin()
        txn.acl.namespaces[name] = None
        return self._core.store.commit(txn)

    def _check_empty(self, name: str) -> None:
        store = self._core.store
        region = self._core.region
        problems = []
        jobs = store.jobs(name)
        if any(job_status(j, store.allocs_by_job(name, j.id), store.evals_by_job(name, j.id))
               != "dead" for j in jobs):
            problems.append(f'namespace "{name}" has non-terminal jobs in regions: [{region}]')
        if any(not a.terminal() for a in store.allocs() if a.namespace == name):
            problems.append(f'namespace "{name}" has non-terminal allocations in regions: '
                            f"[{region}]")
        if problems:
            raise InvalidInput(multi_error(problems).strip())
