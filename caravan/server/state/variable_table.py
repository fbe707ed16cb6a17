"""The Variables of the state store, encrypted: (namespace, path) -> EncryptedVariable.

    variables   "<namespace>\\x00<path>" -> EncryptedVariable (key ID + ciphertext)

Cleartext never reaches this table or the backend; `server/variables.py` encrypts
before a write and decrypts after a read.
"""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.structs.variables import EncryptedVariable

TABLE = "variables"


def variable_key(namespace: str, path: str) -> str:
    return f"{namespace}\x00{path}"


class VariableTable:
    def __init__(self) -> None:
        self._rows: dict[str, EncryptedVariable] = {}

    def get(self, namespace: str, path: str) -> EncryptedVariable | None:
        return self._rows.get(variable_key(namespace, path))

    def list(self, namespace: str, prefix: str = "") -> list[EncryptedVariable]:
        """`namespace` "*" lists every namespace; sorted by namespace, then path."""
        found = (v for v in self._rows.values()
                 if namespace in ("*", v.namespace) and v.path.startswith(prefix))
        return sorted(found, key=lambda v: (v.namespace, v.path))

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        for raw in rows.get(TABLE, {}).values():
            var = EncryptedVariable.model_validate_json(raw)
            self._rows[variable_key(var.namespace, var.path)] = var

    def stamp(self, writes: dict[str, EncryptedVariable | None], index: int,
              now_ns: int) -> None:
        for key, var in writes.items():
            if var is not None:
                old = self._rows.get(key)
                var.create_index = old.create_index if old else index
                var.create_time = old.create_time if old else now_ns
                var.modify_index = index
                var.modify_time = now_ns

    def change(self, writes: dict[str, EncryptedVariable | None], change: Change) -> None:
        for key, var in writes.items():
            if var is None:
                change.delete(TABLE, key)
            else:
                change.put(TABLE, key, var.model_dump_json(by_alias=True))

    def apply(self, writes: dict[str, EncryptedVariable | None]) -> set[str]:
        for key, var in writes.items():
            if var is None:
                self._rows.pop(key, None)
            else:
                self._rows[key] = var
        return {TABLE} if writes else set()
