"""Namespaces: list, read, apply, delete. `default` always exists.

Rows live in the `namespaces` table (see `server/namespaces.py`, which the job
endpoint uses to refuse jobs in a namespace that does not exist). The `default`
namespace has no row until someone changes it; reads then show Nomad's built-in one.
"""

from __future__ import annotations

import re

from caravan.acl import ACL
from caravan.acl.validate import multi_error
from caravan.errors import InvalidInput, NotFound, PermissionDenied
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
        rows = self._core.store.rows(NAMESPACE_TABLE)
        found = {name: Namespace.model_validate_json(raw) for name, raw in rows.items()}
        found.setdefault(DEFAULT_NAMESPACE, default_namespace())
        return found

    def index(self) -> int:
        return self._core.store.table_index(NAMESPACE_TABLE)

    def list(self, acl: ACL | None, prefix: str = "") -> tuple[list[Namespace], int]:
        """Namespaces whose name starts with `prefix` that `acl` may use at all."""
        found = [ns for name, ns in sorted(self._stored().items()) if name.startswith(prefix)
                 and (acl is None or acl.allow_namespace(name))]
        return found, self.index()

    def get(self, acl: ACL | None, name: str) -> tuple[Namespace, int]:
        """403 before 404: a token cannot learn which namespaces it may not see exist."""
        if acl is not None and not acl.allow_namespace(name):
            raise PermissionDenied()
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
        existing = self._core.store.rows(NAMESPACE_TABLE).get(namespace.name)
        txn = self._core.begin()
        create_index = Namespace.model_validate_json(existing).create_index if existing \
            else txn.index
        stored = namespace.model_copy(update={"create_index": create_index,
                                              "modify_index": txn.index,
                                              "hash": namespace.computed_hash()})
        txn.put_row(NAMESPACE_TABLE, namespace.name, stored.model_dump_json(by_alias=True))
        return self._core.store.commit(txn)

    def delete(self, name: str) -> int:
        """Refused for `default` and while jobs or allocations in it are not terminal."""
        if name == DEFAULT_NAMESPACE:
            raise InvalidInput("can not delete default namespace")
        if name not in self._core.store.rows(NAMESPACE_TABLE):
            raise NotFound("namespace not found")
        self._check_empty(name)
        txn = self._core.begin()
        txn.put_row(NAMESPACE_TABLE, name, None)
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
