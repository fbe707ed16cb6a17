"""A wheel built from the tree (after setup built the UI) carries the UI bundle: the page
shell and every file it names, byte for byte, so `pip install` of it needs no Node.js."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.ui.browser import REPO, require_built_ui


def test_a_built_wheel_includes_the_built_ui(tmp_path: Path) -> None:
    require_built_ui()
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(REPO / "pyproject.toml", src)
    shutil.copytree(REPO / "caravan", src / "caravan",
                    ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
         "--no-index", "-w", str(tmp_path / "out"), str(src)],
        capture_output=True, text=True, timeout=300, check=False)
    assert built.returncode == 0, built.stderr
    [wheel] = (tmp_path / "out").glob("caravan-*.whl")
    with zipfile.ZipFile(wheel) as whl:
        index = whl.read("caravan/ui/static/index.html").decode()
        named = re.findall(r'/ui/assets/([^"]+)', index)
        assert {n.rsplit(".", 1)[1] for n in named} == {"js", "css"}
        for name in named:
            member = f"caravan/ui/static/assets/{name}"
            assert whl.read(member) == (REPO / member).read_bytes()
