"""Prestart: fetch the task's artifacts (and the legacy `artifact_source` form) into its dir.

Runs after the task dir is built. A failure is Nomad's `Failed Artifact Download`
event and is recoverable, so the restart policy decides what happens next.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from caravan.client.artifacts import ArtifactError, ArtifactHook, legacy_artifacts
from caravan.client.artifacts.hook import FAILED_ARTIFACT_DOWNLOAD
from caravan.client.taskrunner import events
from caravan.client.taskrunner.hooks import (
    EventSink,
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
)
from caravan.clock import Clock


class ArtifactPrestartHook(PrestartHook):
    name = "artifacts"

    def __init__(self, fetcher: ArtifactHook, emit: EventSink, clock: Clock,
                 node_attributes: Mapping[str, str],
                 client_env: Callable[[], Mapping[str, str]]) -> None:
        self.fetcher = fetcher
        self.client_env = client_env  # the task env with host paths for NOMAD_*_DIR
        self.emit = emit
        self.clock = clock
        self.node_attributes = node_attributes

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        legacy, _ = legacy_artifacts(request.task.config)
        artifacts = [*legacy, *(request.task.artifacts or [])]
        if not artifacts:
            return PrestartResponse(done=True)
        # Task variables win over node ones for `${...}` in source, destination and options.
        env = {**self.node_attributes, **request.env}
        # A destination is a path on this host: `${NOMAD_ALLOC_DIR}` there is the shared
        # dir's host path, never the `/alloc` an exec task sees (Nomad's client env).
        dest_env = {**env, **self.client_env()}
        try:
            await self.fetcher.prestart(request.task_dir.path, artifacts, env, self._event,
                                        dest_env=dest_env)
        except ArtifactError as err:
            failed = events.event(FAILED_ARTIFACT_DOWNLOAD, self.clock.now_ns(), err.message,
                                  details={"download_error": err.message})
            raise HookError(err.message, recoverable=err.recoverable,
                            event=failed.model_copy(update={"download_error": err.message})
                            ) from err
        return PrestartResponse(done=True)

    def _event(self, kind: str, message: str) -> None:
        self.emit(events.event(kind, self.clock.now_ns(), message))
