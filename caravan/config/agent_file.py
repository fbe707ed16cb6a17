"""Agent HCL files -> AgentConfig, with errors that name the file, the line and the key.

Keys Nomad's agent knows but caravan does not use (telemetry, consul, vault, ...)
are accepted and reported back as ignored, so a Nomad agent file still loads.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from caravan.config.agent import AgentConfig
from caravan.errors import FieldError, InvalidInput
from caravan.hcl.load import load_hcl
from caravan.hcl.problems import Problems

_IGNORED = {"bootstrap_expect", "advertise", "addresses", "log_file", "log_json",
            "enable_debug", "telemetry", "consul", "vault", "leave_on_interrupt",
            "leave_on_terminate", "enable_syslog", "disable_update_check",
            "autopilot", "audit", "sentinel", "reporting", "keyring",
            "encrypt", "server_join", "retry_join",
            "alloc_dir", "state_dir", "reserved", "node_pool",
            "drain_on_shutdown",
            "raft_protocol", "num_schedulers", "default_scheduler_config", "plugin_dir"}
# Keys inside blocks that caravan reads, ignored in the same way.
_IGNORED_IN = {"client": _IGNORED, "server": _IGNORED,
               "ui": {"consul", "vault", "label", "show_cli_hints"}}


def load_file(path: Path) -> tuple[AgentConfig, list[str]]:
    """Parse `path`; returns the config and the ignored keys (for a warning)."""
    try:
        text = path.read_text()
    except OSError as e:
        raise InvalidInput(f"cannot read agent config {path}: {e.strerror}") from None
    return load_text(text, filename=str(path))


# Blocks whose bodies are free-form maps; Nomad lets their keys be quoted paths
# (`chroot_env { "/bin" = "/bin" }`), which python-hcl2 only accepts as an object value.
_MAP_BLOCKS = re.compile(r"^(\s*)(chroot_env|meta|options)\s*\{", re.MULTILINE)


def load_text(text: str, *, filename: str = "<config>") -> tuple[AgentConfig, list[str]]:
    problems = Problems(filename)
    raw = load_hcl(_MAP_BLOCKS.sub(r"\1\2 = {", text), problems)
    if raw is None:
        problems.raise_if_any()
        raise InvalidInput(f"{filename}: could not parse the agent config")
    ignored: list[str] = []
    data = _flatten(raw, ignored, top=True)
    try:
        return AgentConfig.model_validate(data), ignored
    except ValidationError as e:
        errors = [_field_error(err, text, filename) for err in e.errors()]
        raise InvalidInput("invalid agent config:\n" + "\n".join(str(x) for x in errors),
                           errors=errors) from None


def _flatten(node: Any, ignored: list[str], *, top: bool = False) -> Any:
    """python-hcl2 gives blocks as lists of dicts with meta keys; make plain nested dicts."""
    if isinstance(node, list) and node and all(isinstance(i, dict) for i in node):
        merged: dict[str, Any] = {}
        for item in node:
            merged.update(_flatten(item, ignored))
        return merged
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key.startswith("__") and key.endswith("__"):
            continue
        if top and key in _IGNORED:
            ignored.append(key)
            continue
        out[key] = _flatten(value, ignored)
    for block, keys in _IGNORED_IN.items() if top else ():
        body = out.get(block)
        if isinstance(body, dict):
            for key in [k for k in body if k in keys]:
                ignored.append(f"{block}.{key}")
                del body[key]
    return out


def _field_error(err: Any, text: str, filename: str) -> FieldError:
    loc = [str(p) for p in err["loc"]]
    path = ".".join(loc)
    message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
    line = None
    for i, src in enumerate(text.splitlines(), start=1):
        if loc and re.match(rf'\s*"?{re.escape(loc[-1])}"?\s*(=|\{{)', src):
            line = i
            break
    return FieldError(path=path, message=message, file=filename, line=line)
