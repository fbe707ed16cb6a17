"""`caravan namespace apply [-description D] [-quota Q] <name | file>`: create or update.

With a name, the namespace is read (if it exists) and the flags change it. With a
file (or "-" for stdin), the file is the namespace specification, HCL by default
or Nomad's JSON with -json; flags are then ignored.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from caravan.api import APIError
from caravan.api.namespaces import Namespaces
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.errors import CommandFailed, UsageError
from caravan.errors import CaravanError, InvalidInput
from caravan.hcl.load import load_hcl
from caravan.hcl.problems import Problems
from caravan.structs import Struct
from caravan.structs.acl import (
    Namespace,
    NamespaceCapabilities,
    NamespaceNodePoolConfiguration,
)

HELP = """
Usage: caravan namespace apply [options] <input>

  Apply is used to create or update a namespace. The specification file
  will be read from stdin by specifying "-", otherwise a path to the file is
  expected. If the input is neither a file nor "-", it is taken as the name of
  the namespace to create or update. Requires a management token.
""" + CLIENT_OPTIONS_HELP + """
Apply Options:

  -quota
    The quota to attach to the namespace.

  -description
    An optional description for the namespace.

  -json
    Parse the input as a JSON namespace specification.
"""

_BLOCKS: dict[str, type[Struct]] = {"capabilities": NamespaceCapabilities,
                                     "node_pool_config": NamespaceNodePoolConfiguration}


def _spec(path: str, as_json: bool) -> Namespace:
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        raise CommandFailed(f"Failed to read file: {exc}") from exc
    if as_json:
        try:
            return Namespace.model_validate(json.loads(text))
        except ValueError as exc:
            raise CommandFailed(f"Failed to parse namespace: {exc}") from exc
    problems = Problems(path)
    document = load_hcl(text, problems)
    try:
        problems.raise_if_any()
    except InvalidInput as exc:
        raise CommandFailed(f"Error parsing namespace specification: {exc}") from exc
    return _from_hcl(document or {})


def _from_hcl(document: dict[str, Any]) -> Namespace:
    fields: dict[str, Any] = {}
    for key, value in document.items():
        if key.startswith("__"):
            continue
        body = value[0] if isinstance(value, list) and value and isinstance(value[0], dict) \
            else value
        if isinstance(body, dict):
            body = {k: v for k, v in body.items() if not k.startswith("__")}
        if key in _BLOCKS:
            fields["node_pool_configuration" if key == "node_pool_config" else key] = \
                _BLOCKS[key].model_validate(body)
        elif key in ("name", "description", "quota", "meta"):
            fields[key] = body
    return Namespace.model_validate(fields)


def _by_name(namespaces: Namespaces, name: str, description: str | None,
             quota: str | None) -> Namespace:
    try:
        namespace, _ = namespaces.info(name)
    except APIError as exc:
        if exc.status != 404:
            raise CommandFailed(f"Error looking up namespace: {exc}") from exc
        namespace = Namespace(name=name)
    changes = {k: v for k, v in (("description", description), ("quota", quota))
               if v is not None}
    return namespace.model_copy(update=changes)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("description")
    fs.string_flag("quota")
    fs.bool_flag("json")
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <input>")
    given = flags.args[0]
    namespaces = Namespaces(make_client(flags))
    if given == "-" or Path(given).is_file():
        if flags.was_given("description") or flags.was_given("quota"):
            ui.error("Flags are ignored when a file is specified!")
        namespace = _spec(given, flags.get_bool("json"))
    elif not given:
        raise CommandFailed("Namespace name required")
    else:
        namespace = _by_name(namespaces, given,
                             flags.get_str("description") if flags.was_given("description")
                             else None,
                             flags.get_str("quota") if flags.was_given("quota") else None)
    try:
        namespaces.register(namespace)
    except CaravanError as exc:
        raise CommandFailed(f"Error applying namespace: {exc}") from exc
    ui.output(f'Successfully applied namespace "{namespace.name}"!')
    return 0
