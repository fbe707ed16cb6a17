"""File functions, relative to the job file's directory. They read the machine that
evaluates the job: fine for the CLI user's own files, never on a server, so
`file_functions(allow_fs=False)` (what /v1/jobs/parse uses) makes each one an error."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from caravan.hcl.expr.funcs_base import Function, arity
from caravan.hcl.expr.nodes import ExprError
from caravan.hcl.expr.values import Value, as_string

# A job file may inline a file, but not an unbounded one.
MAX_FILE_BYTES = 4 * 1024 * 1024


def file_functions(base_dir: str, allow_fs: bool) -> dict[str, Function]:
    def resolve(path: Value) -> Path:
        return Path(base_dir or ".", os.path.expanduser(as_string(path, "path")))

    def read(path: Value) -> bytes:
        target = resolve(path)
        try:
            with open(target, "rb") as f:
                data = f.read(MAX_FILE_BYTES + 1)
        except OSError as e:
            raise ExprError(f"cannot read {target}: {e.strerror or e}") from None
        if len(data) > MAX_FILE_BYTES:
            raise ExprError(f"{target} is larger than {MAX_FILE_BYTES // 1024} KiB")
        return data

    def text(path: Value) -> str:
        try:
            return read(path).decode("utf-8")
        except UnicodeDecodeError:
            raise ExprError(f"{resolve(path)} is not UTF-8 text; use filebase64") from None

    table: dict[str, Function] = {
        "file": arity(1, text),
        "filebase64": arity(1, lambda p: base64.b64encode(read(p)).decode()),
        "fileexists": arity(1, lambda p: resolve(p).is_file()),
        "abspath": arity(1, lambda p: os.path.abspath(as_string(p))),
        "basename": arity(1, lambda p: os.path.basename(as_string(p))),
        "dirname": arity(1, lambda p: os.path.dirname(as_string(p))),
        "pathexpand": arity(1, lambda p: os.path.expanduser(as_string(p))),
    }
    if allow_fs:
        return table
    return {name: _disabled(name) for name in table}


def _disabled(name: str) -> Function:
    def refuse(args: list[Value]) -> Value:
        raise ExprError(f"filesystem functions are disabled here: {name}() can be used in "
                        "a job file the CLI reads, not in one sent to the server")
    return refuse
