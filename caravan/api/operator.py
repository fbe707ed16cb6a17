"""`client.operator`: the cluster's scheduler configuration."""

from __future__ import annotations

from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.query import QueryMeta, QueryOptions, merge
from caravan.structs.operator import (
    SchedulerConfiguration,
    SchedulerConfigurationResponse,
    SchedulerSetConfigurationResponse,
)

_PATH = "/v1/operator/scheduler/configuration"
_CONFIG = TypeAdapter(SchedulerConfigurationResponse)
_SET = TypeAdapter(SchedulerSetConfigurationResponse)


class Operator(SubAPI):
    def scheduler_get_configuration(self, q: QueryOptions | None = None
                                    ) -> tuple[SchedulerConfigurationResponse, QueryMeta]:
        return self._read(_PATH, _CONFIG, q)

    def scheduler_cas_configuration(self, config: SchedulerConfiguration,
                                    q: QueryOptions | None = None
                                    ) -> SchedulerSetConfigurationResponse:
        """Written only if the stored ModifyIndex is still `config.modify_index`."""
        return self._write("PUT", _PATH, _SET, config.to_wire(),
                           merge(q, cas=str(config.modify_index)))
