"""The cluster's scheduler configuration: one row, Nomad's `scheduler_config` table.

    scheduler_config   "config" -> SchedulerConfiguration

Absent until an operator first sets it; readers then get Nomad's defaults."""

from __future__ import annotations

from caravan.server.state.backend import Change
from caravan.structs.operator import SchedulerConfiguration

TABLE = "scheduler_config"
_KEY = "config"


class SchedulerConfigTable:
    def __init__(self) -> None:
        self._config: SchedulerConfiguration | None = None

    def get(self) -> SchedulerConfiguration:
        return self._config.model_copy() if self._config else SchedulerConfiguration()

    def load(self, rows: dict[str, dict[str, str]]) -> None:
        raw = rows.get(TABLE, {}).get(_KEY)
        if raw is not None:
            self._config = SchedulerConfiguration.model_validate_json(raw)

    def stamp(self, config: SchedulerConfiguration | None, index: int) -> None:
        if config is not None:
            config.create_index = self._config.create_index if self._config else index
            config.modify_index = index

    def change(self, config: SchedulerConfiguration | None, change: Change) -> None:
        if config is not None:
            change.put(TABLE, _KEY, config.model_dump_json(by_alias=True))

    def apply(self, config: SchedulerConfiguration | None) -> set[str]:
        if config is None:
            return set()
        self._config = config
        return {TABLE}

    def apply_rows(self, rows: dict[str, str | None]) -> set[str]:
        """A follower's replay of the leader's write."""
        raw = rows.get(_KEY)
        if raw is None:
            return set()
        return self.apply(SchedulerConfiguration.model_validate_json(raw))
