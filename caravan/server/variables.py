"""Nomad Variables: read, list, set (with check-and-set) and delete, encrypted at rest.

    read(ns, path)            -> Variable | None        decrypts with the row's key
    list(ns, prefix, visible) -> [VariableMetadata]     never decrypts
    put(var, cas)             -> Variable               cas None: plain set
    delete(ns, path, cas)     -> index                  cas None: plain delete

Check-and-set follows Nomad's state store: `cas=0` means "only if it does not exist";
any other index must equal the variable's ModifyIndex; a mismatch raises
`CasConflict` carrying the current variable (a zero-value one when there is none),
which the HTTP layer answers with 409. Who may call what is decided before the call
(`caravan.acl.authorize.authorize_variable`); implicit task access is part of it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from caravan.errors import CaravanError, InvalidInput
from caravan.server.core import ServerCore
from caravan.server.keyring import Keyring
from caravan.server.state.variable_table import variable_key
from caravan.structs.variables import (
    EncryptedVariable,
    Variable,
    VariableMetadata,
    items_problem,
    path_problem,
)


class CasConflict(CaravanError):
    status = 409

    def __init__(self, conflict: Variable) -> None:
        super().__init__("cas error: the variable's ModifyIndex did not match")
        self.conflict = conflict


def _aad(namespace: str, path: str) -> bytes:
    # Binds each ciphertext to its place: a row moved to another path fails to decrypt.
    return f"caravan/variable\x00{namespace}\x00{path}".encode()


class VariablesEndpoint:
    def __init__(self, core: ServerCore, keyring: Keyring) -> None:
        self._core = core
        self.keyring = keyring

    # ---- reads ---------------------------------------------------------------------------

    def read(self, namespace: str, path: str) -> Variable | None:
        """The decrypted variable; DecryptFailed (500) for a tampered row."""
        row = self._core.store.variables.get(namespace, path)
        return None if row is None else self._decrypt(row)

    def list(self, namespace: str, prefix: str,
             visible: Callable[[str, str], bool]) -> list[VariableMetadata]:
        return [row.metadata() for row in self._core.store.variables.list(namespace, prefix)
                if visible(row.namespace, row.path)]

    # ---- writes --------------------------------------------------------------------------

    def put(self, var: Variable, cas: int | None) -> Variable:
        check_writable(var)
        current = self._core.store.variables.get(var.namespace, var.path)
        if cas is not None:
            self._check_cas(var.namespace, var.path, current, cas)
        plaintext = json.dumps(var.items, sort_keys=True).encode()
        key_id, blob = self.keyring.encrypt(plaintext, _aad(var.namespace, var.path))
        row = EncryptedVariable(namespace=var.namespace, path=var.path, key_id=key_id,
                                data=blob)
        txn = self._core.begin()
        txn.variables[variable_key(var.namespace, var.path)] = row
        self._core.store.commit(txn)  # stamps the row's indexes and times
        return Variable(**row.metadata().model_dump(), items=dict(var.items))

    def delete(self, namespace: str, path: str, cas: int | None) -> int:
        current = self._core.store.variables.get(namespace, path)
        if cas is not None:
            self._check_cas(namespace, path, current, cas)
        if current is None:
            return self._core.store.table_index("variables")
        txn = self._core.begin()
        txn.variables[variable_key(namespace, path)] = None
        return self._core.store.commit(txn)

    def rotate_key(self) -> str:
        """A new active root key; existing variables keep decrypting with theirs."""
        return self.keyring.rotate().key_id

    # ---- helpers -------------------------------------------------------------------------

    def _check_cas(self, namespace: str, path: str, current: EncryptedVariable | None,
                   cas: int) -> None:
        if current is None and cas != 0:
            raise CasConflict(Variable(namespace=namespace, path=path))
        if current is not None and current.modify_index != cas:
            raise CasConflict(self._decrypt(current))

    def _decrypt(self, row: EncryptedVariable) -> Variable:
        plaintext = self.keyring.decrypt(row.key_id, row.data, _aad(row.namespace, row.path))
        items = json.loads(plaintext)
        return Variable(**row.metadata().model_dump(), items=items)


def check_writable(var: Variable) -> None:
    """Nomad's checks of a variable before a write (namespace, path, items)."""
    if var.namespace == "*":
        raise InvalidInput('can not target wildcard ("*")namespace')
    problem = path_problem(var.path) or items_problem(var.items)
    if problem:
        raise InvalidInput(problem)
