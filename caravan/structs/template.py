"""A task's `template` blocks, with Nomad's JSON names, defaults and submit-time checks.

    template {
      data | source, destination, perms, uid, gid, left_delimiter, right_delimiter,
      env, change_mode, change_signal, change_script { command args timeout fail_on_error },
      splay, wait { min max }, error_on_missing_key, once
    }

Durations are nanoseconds. `canonical_template` fills Nomad's defaults (api
Template.Canonicalize); `template_problems` says what Nomad's Template.Validate says.
"""

from __future__ import annotations

import posixpath

from pydantic import Field

from caravan.structs.base import Struct

_S = 1_000_000_000
CHANGE_MODES = ("noop", "signal", "script", "restart")


class ChangeScript(Struct):
    command: str = ""
    args: list[str] | None = None
    timeout: int | None = None  # ns; default 5s
    fail_on_error: bool = False


class WaitConfig(Struct):
    """How long to wait for changes to settle before rendering (consul-template's wait):
    at least `min` after the last change, at most `max` after the first."""

    min: int | None = None  # ns
    max: int | None = None


class Template(Struct):
    source_path: str = ""
    dest_path: str = ""
    embedded_tmpl: str = ""
    change_mode: str = ""
    change_signal: str = ""
    change_script: ChangeScript | None = None
    once: bool = False
    splay: int | None = None  # ns; default 5s
    perms: str = ""
    uid: int | None = Field(None, alias="Uid")
    gid: int | None = Field(None, alias="Gid")
    left_delim: str = ""
    right_delim: str = ""
    envvars: bool = False
    wait: WaitConfig | None = None
    err_missing_key: bool = False


def canonical_template(t: Template) -> Template:
    """Nomad's API defaults; idempotent."""
    mode = t.change_mode or "restart"
    signal = t.change_signal.upper() if t.change_signal else ("SIGHUP" if mode == "signal"
                                                                else "")
    script = t.change_script
    if script is not None:
        script = script.model_copy(update={
            "args": script.args or [],
            "timeout": 5 * _S if script.timeout is None else script.timeout})
    return t.model_copy(update={
        "change_mode": mode, "change_signal": signal, "change_script": script,
        "splay": 5 * _S if t.splay is None else t.splay, "perms": t.perms or "0644",
        "left_delim": t.left_delim or "{{", "right_delim": t.right_delim or "}}"})


def template_problems(templates: list[Template]) -> list[tuple[int, str]]:
    """(index, problem) in Nomad's words, for canonicalized templates."""
    out: list[tuple[int, str]] = []
    destinations: dict[str, int] = {}
    for i, t in enumerate(templates):
        problems = _problems(t)
        if problems:
            out.append((i, f"Template {i + 1} validation failed: {'; '.join(problems)}"))
        if t.dest_path in destinations:
            out.append((i, f"Template {i + 1} has same destination as "
                           f"{destinations[t.dest_path]}"))
        destinations.setdefault(t.dest_path, i + 1)
    return out


def _problems(t: Template) -> list[str]:
    out = []
    if not t.source_path and not t.embedded_tmpl:
        out.append("Must specify a source path or have an embedded template")
    if not t.dest_path:
        out.append("Must specify a destination for the template")
    elif escapes_alloc_dir(t.dest_path):
        out.append("destination escapes allocation directory")
    out += _change_mode_problems(t)
    if t.splay is not None and t.splay < 0:
        out.append("Must specify positive splay value")
    if t.perms and not _octal_perms(t.perms):
        out.append(f'Failed to parse "{t.perms}" as octal')
    wait = t.wait
    if wait is not None and wait.min is not None and wait.max is not None \
            and wait.min > wait.max:
        out.append(f"wait min {wait.min / _S:g}s is greater than max {wait.max / _S:g}s")
    if wait is not None and ((wait.min or 0) < 0 or (wait.max or 0) < 0):
        out.append("wait min and max must not be negative")
    if t.change_script is not None and (t.change_script.timeout or 0) < 0:
        out.append("change_script timeout must not be negative")
    return out


def _change_mode_problems(t: Template) -> list[str]:
    if t.change_mode == "signal":
        return (["Must specify signal value when change mode is signal"]
                if not t.change_signal else []) + \
            (["cannot use signals with env var templates"] if t.envvars else [])
    if t.change_mode == "script":
        if t.change_script is None:
            return ["must specify change script configuration value when change mode is "
                    "script"]
        return [] if t.change_script.command else [
            "must specify script path value when change mode is script"]
    if t.change_mode not in CHANGE_MODES:
        return ["Invalid change mode. Must be one of the following: noop, signal, script, "
                "restart"]
    return []


def _octal_perms(perms: str) -> bool:
    """Go's strconv.ParseUint(perms, 8, 12): octal digits, at most 0o7777."""
    digits = perms[2:] if perms[:2] in ("0o", "0O") else perms
    return bool(digits) and all(c in "01234567_" for c in digits) \
        and int(digits.replace("_", ""), 8) <= 0o7777


def escapes_alloc_dir(dest: str) -> bool:
    """Nomad's PathEscapesAllocViaRelative("task", dest): a destination is relative to
    the task dir and may reach the alloc dir (`../alloc/x`), never above it. An
    absolute destination is the task dir's too; interpolated ones are checked again
    by the client."""
    joined = posixpath.normpath(posixpath.join("/alloc-dir/task", dest.lstrip("/")))
    return not (joined + "/").startswith("/alloc-dir/")


def parse_perms(perms: str) -> int:
    digits = perms[2:] if perms[:2] in ("0o", "0O") else perms
    return int(digits.replace("_", ""), 8)


__all__ = ["CHANGE_MODES", "ChangeScript", "Template", "WaitConfig", "canonical_template",
           "escapes_alloc_dir", "parse_perms", "template_problems"]
