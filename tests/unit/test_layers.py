"""The package layers of DESIGN.md, checked on the source: no import runs back up, no circle.

Reads every module under caravan/ with `ast` (nothing is imported), so it sees lazy
imports inside functions and `TYPE_CHECKING` imports too: a circle hidden behind a
lazy import is still a circle a reader has to untangle.

Run alone: `python -m pytest tests/unit/test_layers.py -q`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import caravan

ROOT = Path(caravan.__file__).parent

# Bottom first. A package may import its own modules and packages of lower layers;
# packages on the same layer never import each other (server and client, http and api).
LAYERS: list[set[str]] = [
    {"caravan", "caravan.errors"},
    {"caravan.clock", "caravan.ids", "caravan.durations", "caravan.process",
     "caravan.supervisor"},
    {"caravan.hcl", "caravan.structs", "caravan.tls", "caravan.execproto",
     "caravan.gotemplate", "caravan.tarcopy", "caravan.ui"},
    {"caravan.config", "caravan.jobspec", "caravan.acl"},
    {"caravan.server", "caravan.client"},
    {"caravan.http", "caravan.api"},
    {"caravan.agent"},
    {"caravan.cli"},
]

# Narrower rules inside a layer: (importer prefix, what it may import besides itself).
ONLY: list[tuple[str, set[str]]] = [
    # The client library imports nothing from the server, client or http packages.
    ("caravan.api", {"caravan.errors", "caravan.structs", "caravan.durations", "caravan.tls",
                     "caravan.execproto"}),
    # The exec wire format is pure and shared by http, api and the drivers.
    ("caravan.execproto", {"caravan.errors"}),
    # The scheduler is pure: a snapshot in, a plan out.
    ("caravan.server.scheduler", {"caravan.errors", "caravan.structs", "caravan.clock",
                                  "caravan.ids"}),
]
# Drivers see a task config and a task directory, never a Job or the runners.
NEVER: list[tuple[str, set[str]]] = [
    ("caravan.client.drivers", {"caravan.client.taskrunner", "caravan.client.allocrunner",
                                "caravan.client.client", "caravan.jobspec", "caravan.server"}),
]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def imports_of(path: Path) -> Iterator[str]:
    """Every caravan module `path` imports, anywhere in the file."""
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("caravan"))
        elif isinstance(node, ast.ImportFrom) and node.module:
            assert node.level == 0, f"{path}: relative import; write caravan.<...> in full"
            if node.module.split(".")[0] != "caravan":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield sub if sub in MODULES else node.module


def graph() -> dict[str, set[str]]:
    return {name: set(imports_of(path)) - {name} for name, path in MODULES.items()}


def package_of(module: str) -> str:
    """The layer entry a module belongs to: the longest listed prefix."""
    listed = set().union(*LAYERS)
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        if ".".join(parts[:n]) in listed:
            return ".".join(parts[:n])
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


def layer_of(module: str) -> int:
    package = package_of(module)
    return next(i for i, layer in enumerate(LAYERS) if package in layer)


def within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def test_every_module_has_a_layer() -> None:
    for name in MODULES:
        layer_of(name)


def test_no_import_runs_up_or_across_the_layers() -> None:
    wrong = []
    for importer, targets in graph().items():
        for target in targets:
            same_package = package_of(importer) == package_of(target)
            if not same_package and layer_of(target) >= layer_of(importer):
                wrong.append(f"{importer} -> {target}")
    assert not wrong, "imports against DESIGN.md's layers:\n" + "\n".join(sorted(wrong))


def test_narrower_rules() -> None:
    wrong = []
    for importer, targets in graph().items():
        for prefix, allowed in ONLY:
            if within(importer, prefix):
                wrong += [f"{importer} -> {t}" for t in targets
                          if not any(t == a or within(t, a) for a in allowed)
                          and t != "caravan" and not within(t, prefix)]
        for prefix, banned in NEVER:
            if within(importer, prefix):
                wrong += [f"{importer} -> {t}" for t in targets
                          if any(within(t, b) for b in banned)]
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_circle() -> None:
    edges = graph()
    cycles = [c for c in strongly_connected(edges) if len(c) > 1]
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(sorted(c)) for c in cycles)


def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the tree is deep enough to matter for recursion)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in edges:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found


def test_the_checker_sees_a_circle() -> None:
    """The check itself can fail: a made-up circle is reported."""
    circles = strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}})
    assert sorted(map(sorted, (c for c in circles if len(c) > 1))) == [["a", "b", "c"]]
