"""`client.variables`: Nomad Variables (`/v1/vars`, `/v1/var/<path>`).

A check-and-set write or delete that loses answers 409 with the current variable:
it is raised as `VariableConflict` carrying it (`conflict.modify_index` 0 when the
variable does not exist).
"""

from __future__ import annotations

from dataclasses import replace

from pydantic import TypeAdapter, ValidationError

from caravan.api._base import SubAPI
from caravan.api.errors import APIError
from caravan.api.query import QueryMeta, QueryOptions, merge
from caravan.structs.variables import Variable, VariableMetadata

_VARIABLE = TypeAdapter(Variable)
_METADATA = TypeAdapter(list[VariableMetadata])


class VariableConflict(APIError):
    def __init__(self, error: APIError, check_index: int, conflict: Variable) -> None:
        super().__init__(error.status, error.body)
        self.check_index = check_index
        self.conflict = conflict


class Variables(SubAPI):
    def list(self, prefix: str = "",
             q: QueryOptions | None = None) -> tuple[list[VariableMetadata], QueryMeta]:
        return self._read("/v1/vars", _METADATA, merge(q, prefix=prefix))

    def read(self, path: str, q: QueryOptions | None = None) -> tuple[Variable, QueryMeta]:
        return self._read(f"/v1/var/{path}", _VARIABLE, q)

    def put(self, var: Variable, cas: int | None = None,
            q: QueryOptions | None = None) -> Variable:
        """Create or replace `var`; with `cas`, only if its ModifyIndex is `cas`
        (0: only if it does not exist yet)."""
        body = {"Namespace": var.namespace, "Path": var.path, "Items": var.items}
        q = _with_cas(q, cas, var.namespace)
        try:
            reply = self._client.write("PUT", f"/v1/var/{var.path}", body, q)
        except APIError as err:
            raise _conflict(err, cas) from None
        return _VARIABLE.validate_python(reply)

    def delete(self, path: str, cas: int | None = None, q: QueryOptions | None = None) -> None:
        try:
            self._client.write("DELETE", f"/v1/var/{path}", None, _with_cas(q, cas, ""))
        except APIError as err:
            raise _conflict(err, cas) from None


def _with_cas(q: QueryOptions | None, cas: int | None, namespace: str) -> QueryOptions:
    q = q or QueryOptions()
    if namespace and not q.namespace:
        q = replace(q, namespace=namespace)
    return merge(q, cas=str(cas)) if cas is not None else q


def _conflict(err: APIError, cas: int | None) -> APIError:
    if err.status != 409:
        return err
    try:
        return VariableConflict(err, cas or 0, Variable.model_validate_json(err.body))
    except ValidationError:
        return err
