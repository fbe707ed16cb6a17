"""Nomad's policy grammar: text -> `Policy`, or every problem at once with its line.

Texts start as Nomad's do (`Invalid namespace policy: ...`, `Invalid or duplicate
policy keys: ...`, ...) so scripts that match on them keep working; what follows the
colon says what was wrong in words rather than as a Go struct dump.

`strict=True` is for writes (unknown keys are errors); `strict=False` is for
evaluating stored policies, which must keep working even if a later caravan
refuses a key an older one accepted.
"""

from __future__ import annotations

from caravan.acl.document import LABELED_BLOCKS, Block, Document, load_document
from caravan.acl.policy import NamespaceRule, Policy
from caravan.acl.rules import RuleReader
from caravan.errors import FieldError
from caravan.hcl.problems import Problems, invalid_input


class PolicyProblems(Problems):
    """Problems of policy text, which has no file name (it arrives in a request body)."""

    def __init__(self) -> None:
        super().__init__("")
        self.errors: list[FieldError] = []

    def add(self, path: str, message: str, line: int | None = None) -> None:
        self.errors.append(FieldError(path, message, None, line))

    def __bool__(self) -> bool:
        return bool(self.errors)

    def raise_if_any(self) -> None:
        if self.errors:
            raise invalid_input(self.errors)


def parse_policy(rules: str, *, strict: bool = True) -> Policy:
    """Parse and validate `rules`; raises InvalidInput listing every problem."""
    if rules == "":
        return Policy()  # Nomad accepts empty rules: a policy that grants nothing
    problems = PolicyProblems()
    doc = load_document(rules, problems)
    if doc is None:
        problems.raise_if_any()
        raise AssertionError("load_document failed without a problem")  # pragma: no cover
    policy = _build(doc, RuleReader(doc, problems, strict), problems, strict)
    if policy.is_empty():
        problems.add("", f"Invalid policy: {rules}")
    problems.raise_if_any()
    return policy


def _build(doc: Document, reader: RuleReader, problems: PolicyProblems, strict: bool) -> Policy:
    if strict:
        for key, line in doc.unknown:
            problems.add("", f"Invalid or duplicate policy keys: {key}", line)
    singles = _singles(doc, problems, strict)
    return Policy(
        namespaces=tuple(_namespace(b, reader) for b in doc.blocks if b.kind == "namespace"),
        host_volumes=tuple(reader.labeled(b) for b in doc.blocks if b.kind == "host_volume"),
        node_pools=tuple(reader.labeled(b) for b in doc.blocks if b.kind == "node_pool"),
        agent=reader.level(singles.get("agent")),
        node=reader.level(singles.get("node")),
        quota=reader.level(singles.get("quota")),
        plugin=reader.level(singles.get("plugin")),
        operator=reader.capability_rule(singles.get("operator")),
        sentinel=reader.capability_rule(singles.get("sentinel")),
        raw=doc.source,
    )


def _singles(doc: Document, problems: PolicyProblems, strict: bool) -> dict[str, Block]:
    """The one block of each unlabeled kind; a second one is a duplicate key."""
    found: dict[str, Block] = {}
    for block in doc.blocks:
        if block.kind in LABELED_BLOCKS:
            continue
        if block.kind in found or block.label is not None:
            if strict:
                key = block.label if block.label is not None else block.kind
                problems.add(block.kind, f"Invalid or duplicate policy keys: {key}",
                             block.start)
            continue
        found[block.kind] = block
    return found


def _namespace(block: Block, reader: RuleReader) -> NamespaceRule:
    rule = reader.labeled(block)
    return NamespaceRule(rule.name, rule.policy, rule.capabilities, reader.variables(block))
