"""Policy text (HCL, or JSON as Nomad also accepts) -> a flat list of blocks with lines.

python-hcl2 gives block lines (`__start_line__`) but not attribute lines; those are
found by a scan of the block's own lines, so an error can still point at them.
JSON policies carry no lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from caravan.hcl.load import load_hcl
from caravan.hcl.problems import Problems

LABELED_BLOCKS = ("namespace", "host_volume", "node_pool")
SINGLE_BLOCKS = ("agent", "node", "operator", "quota", "plugin", "sentinel")
_META = ("__start_line__", "__end_line__")


@dataclass
class Block:
    kind: str
    label: str | None
    body: dict[str, Any]
    start: int | None = None
    end: int | None = None
    # `namespace "a" "b" {}`: more labels than the block takes.
    extra_labels: list[str] = field(default_factory=list)


@dataclass
class Document:
    source: str
    blocks: list[Block] = field(default_factory=list)
    # Top-level keys that are not blocks a policy may have, with the line they are on.
    unknown: list[tuple[str, int | None]] = field(default_factory=list)

    def attribute_line(self, block: Block, name: str) -> int | None:
        """The line where `name` is set inside `block`; None for JSON policies."""
        if block.start is None:
            return None
        lines = self.source.splitlines()[block.start - 1:block.end]
        found = _find(lines, name)
        return block.start + found if found is not None else block.start

    def top_level_line(self, name: str) -> int | None:
        """The line of a top-level key, skipping lines that belong to known blocks."""
        inside = {n for b in self.blocks if b.start is not None
                  for n in range(b.start, (b.end or b.start) + 1)}
        lines = [text if n + 1 not in inside else "" for n, text in
                 enumerate(self.source.splitlines())]
        found = _find(lines, name)
        return found + 1 if found is not None else None


def _find(lines: list[str], name: str) -> int | None:
    """The first line that sets `name`; else one that sets it inline (`x { name = 1 }`)."""
    key = re.escape(name)
    start = re.compile(rf'^\s*"?{key}"?\s*[=:{{"]')
    inline = re.compile(rf'[{{\s]"?{key}"?\s*[=:]')
    for match in (start.match, inline.search):
        found = next((i for i, text in enumerate(lines) if match(text)), None)
        if found is not None:
            return found
    return None


def load_document(rules: str, problems: Problems) -> Document | None:
    """The blocks of a policy, or None after adding the syntax error to `problems`."""
    if rules.lstrip().startswith("{"):
        return _from_json(rules, problems)
    parsed = load_hcl(rules, problems)
    if parsed is None:
        return None
    doc = Document(rules)
    unknown = []
    for key, value in parsed.items():
        if key in _META:
            continue
        if key in (*LABELED_BLOCKS, *SINGLE_BLOCKS) and isinstance(value, list):
            doc.blocks.extend(_hcl_block(key, item) for item in value if isinstance(item, dict))
        else:
            unknown.append(key)
    doc.unknown = [(key, doc.top_level_line(key)) for key in unknown]
    return doc


def _hcl_block(kind: str, item: dict[str, Any]) -> Block:
    if "__start_line__" in item:
        return Block(kind, None, _strip(item), item["__start_line__"], item.get("__end_line__"))
    label, body = next(iter(item.items()))
    extra: list[str] = []
    while isinstance(body, dict) and "__start_line__" not in body and len(body) == 1:
        name, body = next(iter(body.items()))
        extra.append(name)
    body = body if isinstance(body, dict) else {}
    return Block(kind, str(label), _strip(body), body.get("__start_line__"),
                 body.get("__end_line__"), extra)


def _strip(body: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in _META}


def _from_json(rules: str, problems: Problems) -> Document | None:
    try:
        parsed = json.loads(rules)
    except json.JSONDecodeError as e:
        problems.add("", f"Failed to parse ACL Policy: {e.msg} at column {e.colno}", e.lineno)
        return None
    doc = Document(rules)
    if not isinstance(parsed, dict):
        problems.add("", "Failed to parse ACL Policy: root should be an object", 1)
        return None
    for key, value in parsed.items():
        items = value if isinstance(value, list) else [value]
        if key in LABELED_BLOCKS and all(isinstance(i, dict) for i in items):
            doc.blocks.extend(Block(key, str(label), body if isinstance(body, dict) else {})
                              for item in items for label, body in item.items())
        elif key in SINGLE_BLOCKS and all(isinstance(i, dict) for i in items):
            doc.blocks.extend(Block(key, None, item) for item in items)
        else:
            doc.unknown.append((key, None))
    return doc
