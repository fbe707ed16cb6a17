"""Dynamic node metadata (`/v1/client/metadata`, `node meta apply|read`), Nomad's shapes.

A client's `Meta` is its agent file's `client { meta }` (static) with the dynamic keys an
operator applied laid over it; a dynamic null unsets a key, static ones too."""

from __future__ import annotations

import re

from pydantic import Field

from caravan.errors import InvalidInput
from caravan.structs.base import Struct

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")   # an HCL identifier


class NodeMetaApplyRequest(Struct):
    node_id: str = ""
    meta: dict[str, str | None] | None = None


class NodeMetaResponse(Struct):
    meta: dict[str, str] = Field(default_factory=dict)
    dynamic: dict[str, str | None] = Field(default_factory=dict)
    static: dict[str, str] = Field(default_factory=dict)


def check_meta_keys(meta: dict[str, str | None] | None) -> dict[str, str | None]:
    """Nomad's rule: keys are dotted HCL identifiers (they are read in constraints)."""
    if not meta:
        raise InvalidInput("missing required Meta object")
    for key in meta:
        if key == "":
            raise InvalidInput("metadata keys must not be empty")
        if not all(_IDENTIFIER.match(part) for part in key.split(".")):
            raise InvalidInput(f'"{key}" is invalid; metadata keys must be valid dotted '
                               "hcl identifiers")
    return meta


def merged_meta(static: dict[str, str], dynamic: dict[str, str | None]) -> dict[str, str]:
    meta = dict(static)
    for key, value in dynamic.items():
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value
    return meta
