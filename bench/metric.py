"""The one line each benchmark ends with, which `bench/run` reads.

    from metric import emit     # bench/ is sys.path[0] when a script runs
    emit("alloc exec true, CLI, median of 20", caravan=0.081, baseline=0.021, unit="s",
         target="<=4x and <0.1")

prints `{"metric": ..., "caravan": ..., "baseline": ..., "unit": ..., "target": ...}` on
one stdout line. A script may emit several; the last line of its stdout is always one.

`target` is one or more conditions joined by " and ":
  `<=4x`, `>=0.8x`  on the ratio caravan / baseline (both measured in the same run);
  `<0.1`, `>=5000`  on the caravan figure itself, in `unit`.
`baseline` may be None when nothing comparable exists in the same run (the ratio is
then empty and a ratio condition is not met).
"""

from __future__ import annotations

import json
from typing import Any


def emit(metric: str, caravan: float | None, baseline: float | None, unit: str,
         target: str = "", **extra: Any) -> None:
    line = {"metric": metric, "caravan": caravan, "baseline": baseline, "unit": unit,
            "target": target, **extra}
    print(json.dumps(line), flush=True)
