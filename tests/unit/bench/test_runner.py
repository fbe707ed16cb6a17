"""bench/run's reading of the metric lines: ratio, targets, the table, and a script
that fails or prints nothing being a row rather than a gap."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[3] / "bench"


def _runner() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_runner", BENCH / "runner.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


runner = _runner()


@pytest.mark.parametrize(("row", "met"), [
    ({"caravan": 80, "baseline": 20, "target": "<=4x and <100"}, True),
    ({"caravan": 81, "baseline": 20, "target": "<=4x and <100"}, False),
    ({"caravan": 120, "baseline": 40, "target": "<=4x and <100"}, False),
    ({"caravan": 900, "baseline": 1000, "target": ">=0.8x"}, True),
    ({"caravan": 700, "baseline": 1000, "target": ">=0.8x"}, False),
    ({"caravan": 6000, "baseline": None, "target": ">=5000"}, True),
    ({"caravan": 6000, "baseline": None, "target": ">=1x"}, False),
    ({"caravan": 1, "baseline": 1, "target": ""}, None),
    ({"caravan": None, "baseline": 1, "target": "<2"}, None),
    ({"caravan": 1, "baseline": 1, "target": "fast"}, None),
    ({"caravan": 1, "baseline": 1, "target": "<0.5", "met": True}, True),
])
def test_met(row: dict[str, object], met: bool | None) -> None:
    assert runner.met(row) is met


def test_metric_lines_are_json_objects_with_a_metric() -> None:
    assert runner.metric_line('{"metric": "m", "caravan": 1}') == {"metric": "m", "caravan": 1}
    assert runner.metric_line('{"other": 1}') is None
    assert runner.metric_line("{not json") is None
    assert runner.metric_line("  1. round trip") is None


def test_table_has_one_row_per_metric() -> None:
    rows = [{"metric": "exec", "caravan": 50.0, "baseline": 20.0, "unit": "ms",
             "target": "<=4x", "ratio": 2.5, "met": True},
            {"metric": "x: exit 1", "caravan": None, "baseline": None, "unit": "",
             "target": "", "ratio": None, "met": False}]
    lines = runner.table(rows).splitlines()
    assert lines[0].split() == ["metric", "caravan", "baseline", "ratio", "target", "met"]
    assert lines[1].split() == ["exec", "50", "ms", "20", "ms", "2.50x", "<=4x", "yes"]
    assert lines[2].split()[-1] == "NO"


def test_a_failing_or_silent_script_is_a_row(tmp_path: Path) -> None:
    failing = tmp_path / "bench_fails.py"
    failing.write_text('print(\'{"metric": "half", "caravan": 1, "baseline": 2, '
                       '"unit": "s"}\')\nraise SystemExit("broke")\n')
    rows, problem = runner.run_script(failing, 60, False)
    assert [r["metric"] for r in rows] == ["half"]
    assert problem.startswith("exit 1") and "broke" in problem
    silent = tmp_path / "bench_silent.py"
    silent.write_text("print('figures for humans only')\n")
    assert runner.run_script(silent, 60, False) == ([], "printed no metric line")


def test_a_hanging_script_is_stopped(tmp_path: Path) -> None:
    hanging = tmp_path / "bench_hangs.py"
    hanging.write_text("import time\ntime.sleep(600)\n")
    rows, problem = runner.run_script(hanging, 1, False)
    assert rows == [] and "stopped" in problem
    assert sys.executable  # the runner used this interpreter
