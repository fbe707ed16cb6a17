"""Nomad Variables on the wire and at rest.

    VariableMetadata   what lists show: namespace, path, indexes and times
    Variable           metadata + Items (the cleartext key/value pairs), what
                       GET /v1/var/<path> answers and PUT takes
    EncryptedVariable  metadata + KeyID + Data (nonce + AES-256-GCM ciphertext of the
                       Items as JSON): the only form the state store ever holds
"""

from __future__ import annotations

import re

from pydantic import ConfigDict, Field

from caravan.structs.base import Struct

# RFC 3986 URL-safe characters that do not clash with `@` and `.` in templates
# (Nomad's rule), and a length that keeps prefix scans cheap.
VALID_PATH = re.compile(r"^[a-zA-Z0-9-_~/]{1,128}$")
MAX_ITEMS_BYTES = 64 * 1024


class VariableMetadata(Struct):
    namespace: str = ""
    path: str = ""
    create_index: int = 0
    create_time: int = 0
    modify_index: int = 0
    modify_time: int = 0


class Variable(VariableMetadata):
    items: dict[str, str] = Field(default_factory=dict)

    def metadata(self) -> VariableMetadata:
        return VariableMetadata.model_validate(self.model_dump(exclude={"items"}))


class EncryptedVariable(VariableMetadata):
    # []byte in Go's JSON is base64; so it is in our rows.
    model_config = ConfigDict(**VariableMetadata.model_config, ser_json_bytes="base64",
                              val_json_bytes="base64")

    key_id: str = ""
    data: bytes = b""

    def metadata(self) -> VariableMetadata:
        return VariableMetadata.model_validate(self.model_dump(exclude={"key_id", "data"}))


def path_problem(path: str) -> str | None:
    """Why `path` cannot name a variable (Nomad's texts), or None when it can."""
    if not path:
        return "variable requires path"
    if not VALID_PATH.match(path):
        return f'invalid path "{path}"'
    parts = path.split("/")
    if parts[0] != "nomad":
        return None
    if len(parts) == 1:
        return ('"nomad" is a reserved top-level directory path, but you may write variables '
                'to "nomad/jobs", "nomad/job-templates", or below')
    if parts[1] == "jobs" or (parts[1] == "job-templates" and len(parts) == 3):
        return None
    if parts[1] == "job-templates":
        return ('"nomad/job-templates" is a reserved directory path, but you may write '
                'variables at the level below it, for example, '
                '"nomad/job-templates/template-name"')
    return ('only paths at "nomad/jobs" or "nomad/job-templates" and below are valid paths '
            'under the top-level "nomad" directory')


def items_problem(items: dict[str, str]) -> str | None:
    if not items:
        return "empty variables are invalid"
    if sum(len(k.encode()) + len(v.encode()) for k, v in items.items()) > MAX_ITEMS_BYTES:
        return "variables are limited to 64KiB in total size"
    return None
