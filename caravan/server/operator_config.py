"""The operator's scheduler configuration (`/v1/operator/scheduler/configuration`):
read it, and set it, optionally only if nobody changed it since (`?cas=<ModifyIndex>`).

Its row is the one source: schedulers read it from their snapshot (memory
oversubscription), workers before each evaluation (a paused eval broker), job
registration before accepting a job (`RejectJobRegistration`)."""

from __future__ import annotations

from caravan.errors import PermissionDenied
from caravan.server.core import ServerCore
from caravan.structs.operator import SchedulerConfiguration, check_scheduler_config


class OperatorConfig:
    def __init__(self, core: ServerCore) -> None:
        self._core = core

    def get(self) -> SchedulerConfiguration:
        return self._core.store.scheduler_config.get()

    def set(self, config: SchedulerConfiguration, cas_index: int | None = None
            ) -> tuple[bool, int]:
        """(whether it was written, the index); with `cas_index` only when the stored
        configuration's ModifyIndex is still that."""
        check_scheduler_config(config)
        store = self._core.store
        if cas_index is not None and store.scheduler_config.get().modify_index != cas_index:
            return False, store.index
        txn = self._core.begin()
        txn.scheduler_config = config.model_copy()
        return True, self._core.commit_and_enqueue(txn)

    def check_registration(self, management: bool) -> None:
        """Nomad's `RejectJobRegistration`: only a management token may register, dispatch
        or scale jobs while it is on."""
        if self.get().reject_job_registration and not management:
            raise PermissionDenied("job registration, dispatch, and scale are disabled by "
                                   "the scheduler configuration")
