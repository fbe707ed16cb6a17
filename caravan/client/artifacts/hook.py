"""The prestart step that fetches a task's artifacts (Nomad's artifact hook).

    prestart ─▶ any not fetched yet? ─▶ event `Downloading Artifacts`
             ─▶ up to 3 fetches at once ─▶ all fine: results
                                          └▶ one failed: ArtifactError (after all ended)

The task runner turns an ArtifactError into a `Failed Artifact Download` event whose
download error is the error's message, and applies the restart policy (the error
is recoverable). A retry fetches only what the failed attempt did not.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from caravan.client.artifacts.fetch import FetchResult, fetch_artifact, is_fetched
from caravan.config.artifact import ArtifactConfig
from caravan.structs import TaskArtifact

DOWNLOADING_ARTIFACTS = "Downloading Artifacts"
DOWNLOADING_ARTIFACTS_MESSAGE = "Client is downloading artifacts"
FAILED_ARTIFACT_DOWNLOAD = "Failed Artifact Download"
MAX_PARALLEL = 3  # as Nomad

EmitEvent = Callable[[str, str], None]  # (event type, display message)


class ArtifactHook:
    """Fetches one task's artifacts; one instance per task runner."""

    name = "artifacts"

    def __init__(self, config: ArtifactConfig, *, owner: tuple[int, int] | None = None,
                 alloc_dir: Path | None = None, max_parallel: int = MAX_PARALLEL) -> None:
        self.config = config
        self.owner = owner  # the task user's (uid, gid), for artifacts with chown = true
        self.alloc_dir = alloc_dir
        self.max_parallel = max_parallel

    async def prestart(self, task_dir: Path, artifacts: Sequence[TaskArtifact],
                       env: Mapping[str, str], emit_event: EmitEvent, *,
                       dest_env: Mapping[str, str] | None = None) -> list[FetchResult]:
        """Fetch every artifact not fetched yet; raise the first ArtifactError.

        `dest_env` interpolates destinations (see fetch_artifact). Safe to call
        again after a failure. All fetches have ended (and cleaned up)
        when this returns or raises; cancelling it cancels them all.
        """
        if not artifacts:
            return []
        pending = await asyncio.to_thread(
            lambda: [a for a in artifacts if not is_fetched(a, task_dir)])
        if pending:
            emit_event(DOWNLOADING_ARTIFACTS, DOWNLOADING_ARTIFACTS_MESSAGE)
        slots = asyncio.Semaphore(self.max_parallel)

        async def fetch(artifact: TaskArtifact) -> FetchResult:
            async with slots:
                return await fetch_artifact(artifact, task_dir, env, self.config,
                                            owner=self.owner, alloc_dir=self.alloc_dir,
                                            dest_env=dest_env)

        outcomes = await asyncio.gather(*(fetch(a) for a in artifacts), return_exceptions=True)
        results = []
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome
            results.append(outcome)
        return results
