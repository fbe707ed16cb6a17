"""Following a deployment until it ends, as `job run`, `deployment status -monitor` and
Nomad's commands do: the deployment's table (Desired / Placed / Healthy / Unhealthy /
Progress Deadline per group) redrawn in place on a terminal, printed anew on each
change otherwise. A failed deployment that rolled back (auto_revert) is followed by
the rollback's deployment. Returns the deployment's final status.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from caravan.api import Client, QueryOptions
from caravan.cli.common import Ui
from caravan.cli.deployment_format import format_deployment
from caravan.cli.formatting import format_unix_nano, limit
from caravan.cli.listings import alloc_stub_table
from caravan.errors import CaravanError
from caravan.structs import Deployment

WAIT_TIME_S = 5.0
IDLE_PAUSE_S = 0.5
ROLLBACK_WAIT_S = 10.0  # how long a failed deployment's rollback may take to appear
_ENDED = ("successful", "cancelled", "failed", "blocked")
# ANSI: cursor up N lines, then clear to the end of the screen.
_UP_AND_CLEAR = "\x1b[{}A\x1b[J"


class DeploymentMonitor:
    def __init__(self, client: Client, ui: Ui, length: int, *, verbose: bool = False,
                 tty: bool | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self._client, self._ui, self._length = client, ui, length
        self._verbose = verbose
        self._tty = ui.stdout.isatty() if tty is None else tty
        self._sleep = sleep
        self._drawn_lines = 0

    def monitor(self, deployment_id: str) -> str:
        self._ui.output(f'==> {self._ts()}: Monitoring deployment "'
                        f'{limit(deployment_id, self._length)}"')
        final = self._follow(deployment_id)
        if final is None:
            return ""
        if final.status == "failed" and any(s.auto_revert for s in final.task_groups.values()):
            rollback = self._rollback_of(final)
            if rollback is not None:
                self._drawn_lines = 0
                self._ui.output("")
                self._follow(rollback.id)
        return final.status

    def _follow(self, deployment_id: str) -> Deployment | None:
        index, shown = 0, ""
        while True:
            try:
                q = QueryOptions(wait_index=index, wait_time=WAIT_TIME_S)
                d, meta = self._client.deployments.info(deployment_id, q)
            except CaravanError as exc:
                self._ui.error(f"{self._ts()}: Error fetching deployment: {exc}")
                return None
            text = format_deployment(d, self._length) + self._allocations(d)
            if text != shown:
                self._draw(f"{self._ts()}\n{text}")
                shown = text
            if d.status in _ENDED:
                return d
            if meta.last_index <= index:
                self._sleep(IDLE_PAUSE_S)
            index = max(index, meta.last_index)

    def _allocations(self, d: Deployment) -> str:
        if not self._verbose:
            return ""
        try:
            allocs, _ = self._client.deployments.allocations(d.id)
        except CaravanError as exc:
            return f"\n\nAllocations\nError fetching allocations: {exc}"
        return "\n\nAllocations\n" + alloc_stub_table(allocs, True, self._length,
                                                      self._ui.now_ns())

    def _draw(self, block: str) -> None:
        """In place on a terminal (over what was drawn last); else as new lines."""
        text = f"\n{block}"
        if self._tty and self._drawn_lines:
            self._ui.stdout.write(_UP_AND_CLEAR.format(self._drawn_lines))
        self._ui.output(text)
        self._drawn_lines = text.count("\n") + 1

    def _rollback_of(self, failed: Deployment) -> Deployment | None:
        """The deployment of the version the failed one rolled back to, once it exists."""
        deadline = time.monotonic() + ROLLBACK_WAIT_S
        while time.monotonic() < deadline:
            try:
                latest, _ = self._client.deployments.latest_of_job(
                    failed.job_id, QueryOptions(namespace=failed.namespace))
            except CaravanError:
                return None
            if latest is not None and latest.id != failed.id:
                return latest
            self._sleep(IDLE_PAUSE_S)
        return None

    def _ts(self) -> str:
        return format_unix_nano(self._ui.now_ns())
