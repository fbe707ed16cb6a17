"""Runs python-hcl2 over HCL text (job, agent, policy and namespace files); turns its
failures into FieldErrors with lines.

python-hcl2 (7.3.x) stops at the first syntax error, so a file that does not parse
reports exactly one problem: where lark stopped and what it expected there.
"""

from __future__ import annotations

import re
from typing import Any

from hcl2.api import loads
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    VisitError,
)

from caravan.hcl.problems import Problems
from caravan.wire_limits import WireLimitError, check_json_value

# Parsing costs about 2 s of CPU per MiB (lark, pure Python): bound what one file may cost.
MAX_HCL_BYTES = 1024 * 1024

# lark's terminal names for the tokens a reader recognises; others are left out.
_TOKENS = {"RBRACE": "}", "LBRACE": "{", "RSQB": "]", "LSQB": "[", "EQ": "=", "COMMA": ",",
           "DBLQUOTE": '"', "RPAR": ")", "LPAR": "(", "COLON": ":"}
_DEFINED_TWICE = re.compile(r"^(\S+) already defined$")


def load_hcl(source: str, problems: Problems) -> dict[str, Any] | None:
    """The parsed document with `__start_line__`/`__end_line__` on blocks, or None.

    On failure the problem is added to `problems` and None is returned.
    """
    size = len(source.encode("utf-8", "surrogatepass"))
    if size > MAX_HCL_BYTES:
        problems.add("", f"file too large: {size} bytes; the limit is "
                         f"{MAX_HCL_BYTES // 1024} KiB")
        return None
    try:
        document: dict[str, Any] = loads(source, with_meta=True)
        check_json_value(document)
    except RecursionError:
        problems.add("", "file nested too deeply (blocks, lists or objects)")
        return None
    except WireLimitError as e:
        problems.add("", str(e))
        return None
    except UnexpectedInput as e:
        problems.add("", _syntax_message(e), _line(e, source))
        return None
    except VisitError as e:
        _visit_error(e, source, problems)
        return None
    except LarkError as e:
        problems.add("", f"syntax error: {e}")
        return None
    return document


def _line(e: UnexpectedInput, source: str) -> int:
    # python-hcl2 appends a newline before parsing, so lark may stop one line past the end.
    last = max(1, len(source.splitlines()))
    line = getattr(e, "line", -1)
    return min(line, last) if isinstance(line, int) and line > 0 else last


def _syntax_message(e: UnexpectedInput) -> str:
    column = getattr(e, "column", -1)
    where = f"syntax error at column {column}" if isinstance(column, int) and column > 0 \
        else "syntax error"
    if isinstance(e, UnexpectedToken):
        found = _describe_token(e.token.type, str(e.token))
        return f"{where}: unexpected {found}{_expected(e.expected)}"
    if isinstance(e, UnexpectedCharacters):
        return f'{where}: unexpected character "{e.char}"'
    if isinstance(e, UnexpectedEOF):
        return f"{where}: unexpected end of file{_expected(set(e.expected))}"
    return f"{where}: {e}"


def _describe_token(kind: str, text: str) -> str:
    if kind == "$END":
        return "end of file (is a block not closed?)"
    first = text.strip().splitlines()[0] if text.strip() else text
    return f'"{first[:30]}"' if first else "a new line"


def _expected(expected: set[str]) -> str:
    names = [_TOKENS[t] for t in sorted(expected) if t in _TOKENS]
    if not names or len(names) != len(expected):
        return ""
    return ", expected " + " or ".join(f'"{n}"' for n in names)


def _visit_error(e: VisitError, source: str, problems: Problems) -> None:
    meta = getattr(e.obj, "meta", None)
    start = getattr(meta, "line", 1) if meta is not None and not meta.empty else 1
    end = getattr(meta, "end_line", start) if meta is not None and not meta.empty else start
    twice = _DEFINED_TWICE.match(str(e.orig_exc))
    if twice is None:
        problems.add("", f"cannot read job file: {e.orig_exc}", start)
        return
    name = twice.group(1)
    line = _second_definition(source, name, start, end) or start
    problems.add("", f'"{name}" is defined more than once (an attribute may be set only once '
                     f"per block, and never both as an attribute and as a block)", line)


def _second_definition(source: str, name: str, start: int, end: int) -> int | None:
    pattern = re.compile(rf'^\s*"?{re.escape(name)}"?\s*(=|\{{|")')
    lines = source.splitlines()[start - 1:end]
    hits = [start + i for i, text in enumerate(lines) if pattern.match(text)]
    return hits[1] if len(hits) > 1 else (hits[0] if hits else None)
