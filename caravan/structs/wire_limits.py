"""What one decoded JSON value may hold, checked before it reaches a model or the store.

Nomad's Go decoder gives these for free: integers are int64, strings are valid UTF-8,
and nesting is bounded by its stack. Python's `json` takes integers of any size (a
`Count` of 2^63 reached the scheduler), decodes `"\\ud800"` into a lone surrogate
that cannot be encoded again (the store or a response fails later), and nests until
RecursionError. `check_json_value` refuses all three, naming where.
"""

from __future__ import annotations

import json
from typing import Any

from caravan.errors import InvalidInput

MAX_JSON_DEPTH = 64  # a job is ~8 deep; driver config may nest a little more
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def loads_checked(raw: str | bytes) -> Any:
    """`json.loads` whose every failure is an InvalidInput, then `check_json_value`."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise InvalidInput(_too_deep("$")) from None
    except (ValueError, UnicodeDecodeError) as e:  # JSONDecodeError, and too many digits
        raise InvalidInput(f"Failed to decode request body: {e}") from None
    check_json_value(value)
    return value


def check_json_value(value: Any) -> None:
    """Raise InvalidInput when `value` nests too deeply, holds an integer outside int64,
    or a string (value or key) with a lone surrogate. Iterative: no recursion to exhaust."""
    stack: list[tuple[Any, str, int]] = [(value, "$", 0)]
    while stack:
        item, path, depth = stack.pop()
        if isinstance(item, dict):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidInput(_too_deep(path))
            for key, child in item.items():
                _check_text(key, f"{path} (a key)")
                stack.append((child, f"{path}.{key}", depth + 1))
        elif isinstance(item, list):
            if depth >= MAX_JSON_DEPTH:
                raise InvalidInput(_too_deep(path))
            stack.extend((child, f"{path}[{i}]", depth + 1) for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, path)
        elif isinstance(item, int) and not isinstance(item, bool) and \
                not INT64_MIN <= item <= INT64_MAX:
            raise InvalidInput(f"{_shown(path)}: integer out of range: it must fit in "
                               "64 bits (between -2^63 and 2^63-1)")


def _check_text(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{_shown(path)}: string holds a lone surrogate (\\ud800-\\udfff "
                           "without its pair), which is not valid Unicode") from None


def _too_deep(path: str) -> str:
    return f"{_shown(path)}: JSON nested too deeply (at most {MAX_JSON_DEPTH} levels)"


def _shown(path: str) -> str:
    return "request body" if path == "$" else path.removeprefix("$.")
