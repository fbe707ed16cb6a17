"""What one decoded JSON value may hold, checked before it reaches a model or the store.

Nomad's Go decoder gives these for free: integers are int64, strings are valid UTF-8,
and nesting is bounded by its stack. Python's `json` takes integers of any size (a
`Count` of 2^63 reached the scheduler), decodes `"\\ud800"` into a lone surrogate
that cannot be encoded again (the store or a response fails later), and nests until
RecursionError. `check_json_value` refuses all three, naming where. Pure, with no
imports from caravan, so every layer that reads JSON or HCL may use it; callers turn
WireLimitError into their own error (a 400, or a problem in a job file).
"""

from __future__ import annotations

from typing import Any

MAX_JSON_DEPTH = 64  # a job is ~8 deep; driver config may nest a little more
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class WireLimitError(ValueError):
    """A decoded value beyond what one request may hold; the message says where."""


def check_json_value(value: Any) -> None:
    """Raise WireLimitError when `value` nests too deeply, holds an integer outside int64,
    or a string (value or key) with a lone surrogate. Iterative: no recursion to exhaust."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_JSON_DEPTH:
                raise WireLimitError(_too_deep(path))
            for key, child in item.items():
                _check_text(key, f"{path} (a key)")
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_JSON_DEPTH:
                raise WireLimitError(_too_deep(path))
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, int) and not isinstance(item, bool) and \
                not INT64_MIN <= item <= INT64_MAX:
            raise WireLimitError(f"{_shown(path)}: integer out of range: it must fit in "
                               "64 bits (between -2^63 and 2^63-1)")


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise WireLimitError(f"{_shown(path)}: string holds a lone surrogate (\\ud800-\\udfff "
                           "without its pair), which is not valid Unicode") from None


def _too_deep(path: str) -> str:
    return f"{_shown(path)}: JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)"


def _shown(path: str) -> str:
    return "request body" if path == "$" else path.removeprefix("$.")
