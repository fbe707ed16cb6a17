"""An artifact block as a definition: its key, its interpolated fields, the legacy
driver-config form, and Nomad's submit-time checks of it.

    config { artifact_source = "https://host/app", checksum = "sha256:..." }
        -> artifact { source = "https://host/app", destination = "local/",
                      options { checksum = "sha256:..." } }
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from caravan.errors import InvalidInput
from caravan.structs import TaskArtifact

LEGACY_KEYS = ("artifact_source", "checksum")
# Nomad's simple substitution: `${name}`, looked up in the task env; unknown names stay.
_SIMPLE = re.compile(r"\$\{([a-zA-Z0-9_.-]+)\}")


def artifact_key(artifact: TaskArtifact) -> str:
    """A stable hash of the definition as written (before interpolation)."""
    canonical = json.dumps(artifact.to_wire(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def substitute(text: str, env: Mapping[str, str]) -> str:
    return _SIMPLE.sub(lambda m: env.get(m.group(1), m.group(0)), text)


def interpolate_artifact(artifact: TaskArtifact, env: Mapping[str, str]) -> TaskArtifact:
    """Source, destination, option values and header values with `${...}` replaced.

    `env` is the task's environment; node attributes (`node.unique.id`, `attr.*`,
    `meta.*`) may be merged into it. Option and header keys are not interpolated.
    """
    def values(table: dict[str, str] | None) -> dict[str, str] | None:
        return None if table is None else {k: substitute(v, env) for k, v in table.items()}

    return artifact.model_copy(update={
        "getter_source": substitute(artifact.getter_source, env),
        "relative_dest": substitute(artifact.relative_dest, env),
        "getter_options": values(artifact.getter_options),
        "getter_headers": values(artifact.getter_headers),
    })


def legacy_artifacts(driver_config: dict[str, Any]) -> tuple[list[TaskArtifact], dict[str, Any]]:
    """Old Nomad's `artifact_source`/`checksum` driver keys as one artifact into `local/`.

    Returns the artifacts and the driver config without those keys; a config without
    `artifact_source` comes back unchanged (a copy) with no artifacts.
    """
    source = driver_config.get("artifact_source")
    if source is None:
        return [], dict(driver_config)
    checksum = driver_config.get("checksum")
    if not isinstance(source, str) or (checksum is not None and not isinstance(checksum, str)):
        raise InvalidInput("artifact_source and checksum must be strings")
    rest = {k: v for k, v in driver_config.items() if k not in LEGACY_KEYS}
    options = {"checksum": checksum} if checksum is not None else None
    return [TaskArtifact(getter_source=source, getter_options=options,
                         relative_dest="local/")], rest
