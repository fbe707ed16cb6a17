"""`bench/run`: run every benchmark (bench/bench_*.py), print one table.

    bench/run                      # all of them, one after another (they share 2 cores)
    bench/run -only exec,sched     # the scripts whose name contains one of these
    bench/run -json                # the same rows as JSON on stdout, for tracking
    bench/run -list                # the scripts it would run
    bench/run -v                   # also pass each script's own report to stderr

Each script prints its figures for humans and ends with one JSON line per metric
(`bench/metric.py` says the format); the table is those lines: metric, caravan, the
baseline measured in the same run, their ratio, the target and whether it is met.
A script runs in its own session; when it fails, hangs past -timeout or this run is
interrupted, the whole session is sent SIGINT (so the script's own cleanup runs), then
SIGKILL after a grace period. A script that ends without a metric line is a row that
says so, never a silent gap.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
GRACE_S = 20.0
_CONDITION = re.compile(r"^\s*(<=|>=|<|>)\s*([0-9.eE+-]+)\s*(x?)\s*$")


def scripts(only: list[str]) -> list[Path]:
    found = sorted(BENCH.glob("bench_*.py"))
    return [p for p in found if not only or any(o in p.stem for o in only)]


def run_script(path: Path, timeout: float, verbose: bool) -> tuple[list[dict[str, Any]], str]:
    """The metric lines of one script and, when it failed, why (else "")."""
    proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE,
                            stderr=None if verbose else subprocess.PIPE, text=True,
                            start_new_session=True, cwd=BENCH.parent)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        stop(proc)
        return [], f"no result within {timeout:.0f} s (stopped)"
    except BaseException:
        stop(proc)
        raise
    if verbose:
        sys.stderr.write(out)
    rows = [row for line in out.splitlines() if (row := metric_line(line))]
    problem = "" if proc.returncode == 0 else f"exit {proc.returncode}: " + \
        " / ".join((err or out or "").strip().splitlines()[-2:])
    if not rows and not problem:
        problem = "printed no metric line"
    return rows, problem


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGINT to the script's session (its finally blocks stop what it started), then
    SIGKILL to whatever is left of that session."""
    for sig, wait in ((signal.SIGINT, GRACE_S), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.communicate(timeout=wait)
            if sig == signal.SIGINT:
                os.killpg(proc.pid, signal.SIGKILL)  # helpers it left behind
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


def metric_line(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        row = json.loads(line)
    except ValueError:
        return None
    return row if isinstance(row, dict) and "metric" in row else None


def ratio(row: dict[str, Any]) -> float | None:
    caravan, baseline = row.get("caravan"), row.get("baseline")
    if not isinstance(caravan, (int, float)) or not isinstance(baseline, (int, float)):
        return None
    return caravan / baseline if baseline else None


def met(row: dict[str, Any]) -> bool | None:
    """Every condition of the target holds (None: no target, or not measurable)."""
    if isinstance(row.get("met"), bool):
        return bool(row["met"])
    target, caravan = str(row.get("target") or ""), row.get("caravan")
    if not target or not isinstance(caravan, (int, float)):
        return None
    for part in target.split(" and "):
        match = _CONDITION.match(part)
        if not match:
            return None
        op, bound, on_ratio = match.group(1), float(match.group(2)), match.group(3)
        value = ratio(row) if on_ratio else caravan
        if value is None or not _holds(value, op, bound):
            return False
    return True


def _holds(value: float, op: str, bound: float) -> bool:
    return {"<": value < bound, "<=": value <= bound, ">": value > bound,
            ">=": value >= bound}[op]


def figure(value: Any, unit: str) -> str:
    if not isinstance(value, (int, float)):
        return "-" if value is None else str(value)
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}".strip()


def table(rows: list[dict[str, Any]]) -> str:
    head = ("metric", "caravan", "baseline", "ratio", "target", "met")
    lines = [head] + [(
        str(r["metric"]), figure(r.get("caravan"), r.get("unit", "")),
        figure(r.get("baseline"), r.get("unit", "")),
        "-" if r["ratio"] is None else f"{r['ratio']:.2f}x", str(r.get("target") or "-"),
        {True: "yes", False: "NO", None: "-"}[r["met"]]) for r in rows]
    widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip()
                     for line in lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-json", action="store_true", help="rows as JSON on stdout")
    parser.add_argument("-only", default="", help="comma-separated parts of script names")
    parser.add_argument("-list", action="store_true", help="list the scripts and exit")
    parser.add_argument("-timeout", type=float, default=1800.0, help="seconds per script")
    parser.add_argument("-v", action="store_true", help="show each script's report")
    args = parser.parse_args()
    chosen = scripts([o for o in args.only.split(",") if o])
    if args.list:
        print("\n".join(p.name for p in chosen))
        return 0
    rows: list[dict[str, Any]] = []
    for path in chosen:
        print(f"bench/run: {path.name} ...", file=sys.stderr, flush=True)
        started = time.monotonic()
        found, problem = run_script(path, args.timeout, args.v)
        for row in found:
            rows.append({**row, "script": path.name})
        if problem:
            rows.append({"metric": f"{path.stem}: {problem}", "caravan": None,
                         "baseline": None, "unit": "", "target": "", "met": False,
                         "script": path.name})
        print(f"bench/run: {path.name} done in {time.monotonic() - started:.0f} s",
              file=sys.stderr, flush=True)
    for row in rows:
        row["ratio"], row["met"] = ratio(row), met(row)
    print(json.dumps(rows, indent=1) if args.json else table(rows))
    return 0 if all(r["met"] is not False for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
