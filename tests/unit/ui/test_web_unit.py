"""The web UI's TypeScript unit tests (web/test/, node's built-in runner via `npm test`):
the browser's capability computation that decides which buttons a token sees."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

WEB = Path(__file__).resolve().parents[3] / "web"


def test_typescript_unit_tests_pass() -> None:
    node = shutil.which("node")
    assert node is not None, "node is missing: scripts/setup installs Debian's nodejs"
    assert (WEB / "node_modules" / "esbuild").is_dir(), (
        "web/node_modules is missing: run scripts/setup (or `npm --prefix web ci`)")
    run = subprocess.run([node, str(WEB / "test.mjs")], cwd=WEB, capture_output=True,
                         text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "# fail 0" in run.stdout and "# pass " in run.stdout, run.stdout
