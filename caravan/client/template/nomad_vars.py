"""Nomad's Variable functions for templates, answered from the render pass's snapshot.

    nomadVar "path[@namespace]"          the Items (a map: `.key`, or range $k, $v);
                                         the template waits until the variable exists
    nomadVarExists "path"                true or false, never waits
    nomadVarList ["prefix"]              metadata of the variables under prefix, by path
    nomadVarListSafe ["prefix"]          the same, but an empty list waits (keeps the
                                         last rendered file during an outage)

The snapshot holds what the source fetched: for ("var", path) a `VariableData` or
None when the variable does not exist; for ("var_list", prefix) a list of
`NomadVarMeta`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from caravan.client.template.deps import Dep, Reads
from caravan.gotemplate import FuncError, GoFunc, untyped

_QUERY = re.compile(r"^(?P<path>[^@]*)(?:@(?P<namespace>[\w\-]+)(?:\.(?P<region>[\w.\-]+))?)?$")


@dataclass(frozen=True)
class NomadVarMeta:
    """consul-template's NomadVarMeta, with the names templates use."""

    Namespace: str
    Path: str
    CreateIndex: int
    ModifyIndex: int
    CreateTime: int
    ModifyTime: int


@dataclass(frozen=True)
class VariableData:
    meta: NomadVarMeta
    items: dict[str, str]


def variable_funcs(current: Callable[[], Reads]) -> dict[str, GoFunc]:
    def var(*args: object) -> dict[str, str]:
        reads = current()
        dep = _dep("var", _one_string("nomadVar", args))
        found = reads.get(dep, None)
        if found is None:
            if dep in reads.data:
                reads.blocked.add(dep)  # not written yet: wait for it
            return {}
        assert isinstance(found, VariableData)
        return dict(found.items)

    def exists(*args: object) -> bool:
        return current().get(_dep("var", _one_string("nomadVarExists", args)), None) is not None

    def listing(name: str, safe: bool) -> GoFunc:
        def call(*args: object) -> list[NomadVarMeta]:
            reads = current()
            if len(args) > 1 or (args and not isinstance(args[0], str)):
                raise FuncError(f"{name}: expected at most one prefix string")
            dep = _dep("var_list", str(args[0]) if args else "")
            found = reads.get(dep, [])
            assert isinstance(found, list)
            if safe and not found and dep in reads.data:
                reads.blocked.add(dep)
            return sorted(found, key=lambda m: m.Path)
        return untyped(call)

    return {"nomadVar": untyped(var), "nomadVarExists": untyped(exists),
            "nomadVarList": listing("nomadVarList", False),
            "nomadVarListSafe": listing("nomadVarListSafe", True)}


def _one_string(name: str, args: tuple[object, ...]) -> str:
    if len(args) != 1 or not isinstance(args[0], str):
        raise FuncError(f"{name}: expected one path string")
    return args[0]


def _dep(kind: str, query: str) -> Dep:
    match = _QUERY.match(query)
    if match is None or (kind == "var" and not match["path"]):
        raise FuncError(f'invalid variable query "{query}"')
    return Dep(kind, match["path"].strip("/") if kind == "var" else match["path"],
               match["namespace"] or "")
