"""Routes translate only: no route module reaches into `app.state` or the state store.

Routes get the agent through `http/context.py` (typed) and call the server's endpoint
methods; the checks read the source with `ast`, nothing is imported or started.
"""

from __future__ import annotations

import ast
from pathlib import Path

import caravan

HTTP = Path(caravan.__file__).parent / "http"
# The only modules that may touch `app.state`: where it is set and where it is read, typed.
STATE_OWNERS = {"app.py", "context.py", "auth.py"}


def attribute_chains(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute):
            found.append((node.lineno, ast.unparse(node)))
    return found


def test_no_route_module_touches_app_state() -> None:
    wrong = [f"{p.name}:{line}: {text}" for p in HTTP.glob("*.py") if p.name not in STATE_OWNERS
             for line, text in attribute_chains(p) if text.endswith("app.state")]
    assert not wrong, "\n".join(wrong)


def test_no_http_module_touches_the_state_store() -> None:
    wrong = [f"{p.name}:{line}: {text}" for p in HTTP.glob("*.py")
             for line, text in attribute_chains(p) if text.endswith(".store")]
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_a_store_access(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def f(request):\n    return request.app.state.ctx.server.store.jobs()\n")
    texts = [text for _, text in attribute_chains(sample)]
    assert any(t.endswith(".store") for t in texts)
    assert any(t.endswith("app.state") for t in texts)
