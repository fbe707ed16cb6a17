"""The function map a template sees: consul-template's functions as Nomad runs them.

    built in here   the Consul- and Vault-free helpers (funcs_text, funcs_math) and
                    env, mustEnv, envOrDefault, file, timestamp, executeTemplate
    placeholders    Nomad's nomadVar... (the caller injects the real ones through
                    Options.extra_funcs), Consul's key/service/..., Vault's secret...,
                    and helpers caravan lacks: each parses, and fails when called
                    with a message saying why
    denied          names matching Options.function_denylist (default: plugin,
                    writeToFile) fail when called, as consul-template's do
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone

from caravan.gotemplate.calls import ANY, STRING, GoFunc, untyped
from caravan.gotemplate.errors import FuncError
from caravan.gotemplate.funcs_maps import MAP_FUNCS
from caravan.gotemplate.funcs_math import MATH_FUNCS
from caravan.gotemplate.funcs_text import TEXT_FUNCS
from caravan.gotemplate.golayout import RFC3339, format_time

DEFAULT_FUNCTION_DENYLIST = ("plugin", "writeToFile")
NOMAD_FUNCS = ("nomadService", "nomadServices", "nomadVar", "nomadVarExists", "nomadVarList",
               "nomadVarListSafe")
CONSUL_FUNCS = ("caLeaf", "caRoots", "connect", "datacenters", "exportedServices",
                "importedServices", "key", "keyExists", "keyOrDefault", "ls", "node", "nodes",
                "partitions", "peerings", "safeLs", "safeTree", "service", "services", "tree")
VAULT_FUNCS = ("pkiCert", "secret", "secrets")
# consul-template functions caravan does not implement; they parse, and fail when called.
# byKey, byMeta and explode work on Consul's KV pairs and services.
CONSUL_DATA_FUNCS = ("byKey", "byMeta", "explode")
UNSUPPORTED_FUNCS = ("byPort", "parseYAML", "plugin", "scratch", "sockaddr", "spew_dump",
                     "spew_printf", "spew_sdump", "spew_sprintf", "toTOML", "toYAML",
                     "writeToFile")


@dataclass(frozen=True)
class FuncContext:
    """What the functions that touch the outside world are given instead of I/O."""

    env: Mapping[str, str]
    read_file: Callable[[str], str] | None
    now: Callable[[], datetime] | None
    execute_template: Callable[[str, object], str]


def function_map(context: FuncContext, extra: Mapping[str, GoFunc],
                 denylist: tuple[str, ...]) -> dict[str, GoFunc]:
    funcs: dict[str, GoFunc] = {}
    funcs.update({name: _failing(f"{name} needs Consul, which caravan does not use")
                  for name in CONSUL_FUNCS})
    funcs.update({name: _failing(f"{name} works on Consul data, which caravan does not use")
                  for name in CONSUL_DATA_FUNCS})
    funcs.update({name: _failing(f"{name} needs Vault, which caravan does not use")
                  for name in VAULT_FUNCS})
    funcs.update({name: _failing(f"{name} is not supported by caravan's template engine")
                  for name in UNSUPPORTED_FUNCS})
    funcs.update({name: _failing(f"{name} is only available when a task runner renders the "
                                 "template") for name in NOMAD_FUNCS})
    funcs.update(TEXT_FUNCS)
    funcs.update(MATH_FUNCS)
    funcs.update(MAP_FUNCS)
    funcs.update(_context_funcs(context))
    funcs.update(extra)
    for name in list(funcs):
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in denylist):
            funcs[name] = _failing("function is disabled (it is in the client's template "
                                   "function_denylist)")
    return funcs


def _failing(message: str) -> GoFunc:
    def call(*args: object) -> object:
        raise FuncError(message)
    return untyped(call)


def _context_funcs(context: FuncContext) -> dict[str, GoFunc]:
    env = context.env

    def must_env(name: str) -> str:
        value = env.get(name, "")
        if value == "":
            raise FuncError(f"required environment variable {name} is empty")
        return value

    return {
        "env": GoFunc(lambda name: env.get(name, ""), (STRING,)),
        "mustEnv": GoFunc(must_env, (STRING,)),
        "envOrDefault": GoFunc(lambda name, default: env.get(name, default), (STRING, STRING)),
        "file": GoFunc(lambda path: _read(context, path), (STRING,)),
        "timestamp": GoFunc(lambda *fmt: _timestamp(context, fmt), (), STRING),
        "executeTemplate": GoFunc(lambda name, *data: _execute(context, name, data),
                                  (STRING,), ANY),
    }


def _read(context: FuncContext, path: str) -> str:
    if path == "":
        return ""
    if context.read_file is None:
        raise FuncError("file is not available: this template is rendered without a task")
    try:
        return context.read_file(path)
    except OSError as err:
        raise FuncError(f"file {path}: {err.strerror or err}") from None


def _timestamp(context: FuncContext, fmt: tuple[str, ...]) -> str:
    if len(fmt) > 1:
        raise FuncError(f"timestamp: wrong number of arguments, expected 0 or 1, but got {len(fmt)}")
    now = context.now() if context.now is not None else datetime.now(timezone.utc)
    if fmt and fmt[0] == "unix":
        return str(int(now.timestamp()))
    return format_time(now, fmt[0] if fmt else RFC3339)


def _execute(context: FuncContext, name: str, data: tuple[object, ...]) -> str:
    if len(data) > 1:
        raise FuncError(f"executeTemplate: wrong number of arguments, expected 1 or 2, but got "
                        f"{len(data) + 1}")
    return context.execute_template(name, data[0] if data else None)
