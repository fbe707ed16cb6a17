"""A view over one HCL block body from python-hcl2: its attributes, its child
blocks, their line numbers, and the checks every body gets (unknown and
unsupported names, value types).

python-hcl2 gives blocks `__start_line__`/`__end_line__` but attributes no line,
so an attribute's line is found by scanning the body's own source lines (child
blocks excluded) for `<name> =`.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from caravan.hcl.problems import Problems
from caravan.jobspec.hcl_values import META_KEYS, Convert


@dataclass(frozen=True)
class Source:
    """The file being parsed: its lines (for attribute lines) and its problem list."""

    lines: list[str]
    problems: Problems


@dataclass(frozen=True)
class RawBlock:
    kind: str
    labels: list[str]
    content: dict[str, Any]
    start: int
    end: int


@dataclass(frozen=True)
class Spec:
    """What a block kind may contain. `attrs` maps an HCL name to (field name, converter);
    `blocks` are decoded by the caller; `maps` may be written as a block or as
    `name = { ... }`; the `unsupported_*` names are Nomad's but not caravan's."""

    attrs: Mapping[str, tuple[str, Convert]] = field(default_factory=dict)
    blocks: frozenset[str] = frozenset()
    maps: frozenset[str] = frozenset()
    unsupported_blocks: frozenset[str] = frozenset()
    unsupported_attrs: frozenset[str] = frozenset()


def _has_meta(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    if "__start_line__" in value:
        return True
    return len(value) == 1 and _has_meta(next(iter(value.values())))


def _raw_block(kind: str, entry: dict[str, Any]) -> RawBlock:
    labels: list[str] = []
    while "__start_line__" not in entry:
        label, entry = next(iter(entry.items()))
        labels.append(str(label))
    return RawBlock(kind, labels, entry, int(entry["__start_line__"]),
                    int(entry["__end_line__"]))


class Body:
    """The attributes and child blocks of one block; `path` names it in messages."""

    def __init__(self, source: Source, content: dict[str, Any], path: str,
                 start: int, end: int) -> None:
        self.source = source
        self.path = path
        self.start = start
        self.end = end
        self.attrs: dict[str, Any] = {}
        self.blocks: dict[str, list[RawBlock]] = {}
        for key, value in content.items():
            if key in META_KEYS:
                continue
            if isinstance(value, list) and value and all(_has_meta(v) for v in value):
                self.blocks[key] = [_raw_block(key, v) for v in value]
            else:
                self.attrs[key] = value

    def child(self, block: RawBlock, path: str) -> Body:
        return Body(self.source, block.content, path, block.start, block.end)

    def error(self, message: str, *, line: int | None = None, path: str | None = None) -> None:
        self.source.problems.add(self.path if path is None else path, message,
                                 line or self.start)

    def attr_line(self, name: str) -> int:
        inside_child = {n for blocks in self.blocks.values() for b in blocks
                        for n in range(b.start, b.end + 1)}
        strict = re.compile(rf'^\s*"?{re.escape(name)}"?\s*=(?!=)')
        loose = re.compile(rf'(?<![\w.-])"?{re.escape(name)}"?\s*=(?!=)')
        for pattern in (strict, loose):
            for n in range(self.start, min(self.end, len(self.source.lines)) + 1):
                if n not in inside_child and pattern.search(self.source.lines[n - 1]):
                    return n
        return self.start

    def check(self, spec: Spec) -> None:
        """Report every attribute and block that `spec` does not allow."""
        known_attrs = set(spec.attrs) | spec.maps
        for name in self.attrs:
            if name in known_attrs:
                continue
            if name in spec.unsupported_attrs:
                message = f'attribute "{name}" is not supported by caravan'
            elif name in spec.blocks or name in spec.unsupported_blocks:
                message = f'"{name}" must be written as a block: {name} {{ ... }}'
            else:
                message = f'unknown attribute "{name}"{_suggest(name, known_attrs)}'
            self.error(message, line=self.attr_line(name))
        known_blocks = spec.blocks | spec.maps
        for name, blocks in self.blocks.items():
            if name in known_blocks:
                continue
            if name in spec.unsupported_blocks:
                message = f'block "{name}" is not supported by caravan'
            elif name in spec.attrs:
                message = f'"{name}" is an attribute, not a block: write {name} = ...'
            else:
                message = f'unknown block "{name}"{_suggest(name, known_blocks)}'
            for block in blocks:
                self.error(message, line=block.start)

    def convert(self, spec: Spec) -> dict[str, Any]:
        """The spec's attributes converted to field values; bad values are reported."""
        out: dict[str, Any] = {}
        for name, (field_name, convert) in spec.attrs.items():
            value = self.attrs.get(name)
            if value is None:
                continue
            try:
                out[field_name] = convert(value)
            except ValueError as e:
                self.error(str(e), line=self.attr_line(name), path=f"{self.path}.{name}")
        return out

    def single(self, kind: str) -> RawBlock | None:
        """The one block of `kind`, reporting every extra one."""
        blocks = self.blocks.get(kind, [])
        for extra in blocks[1:]:
            self.error(f'duplicate block "{kind}": only one is allowed here '
                       f"(the first is at line {blocks[0].start})", line=extra.start)
        return blocks[0] if blocks else None

    def label(self, block: RawBlock, path: str, example: str) -> str:
        """The block's one label; a missing or extra label is reported."""
        if not block.labels:
            self.error(f'block "{block.kind}" must have a name label, e.g. {example}',
                       line=block.start, path=path)
            return ""
        if len(block.labels) > 1:
            self.error(f'block "{block.kind}" takes one label, got {len(block.labels)}',
                       line=block.start, path=path)
        return block.labels[0]

    def no_labels(self, block: RawBlock, path: str) -> None:
        if block.labels:
            self.error(f'block "{block.kind}" takes no labels, got {len(block.labels)}',
                       line=block.start, path=path)


def _suggest(name: str, known: set[str] | frozenset[str]) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.8)
    return f'; did you mean "{close[0]}"?' if close else ""
