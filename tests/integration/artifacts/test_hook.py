"""ArtifactHook.prestart: events, several artifacts, the failure the task runner sees."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.client.artifacts import (
    DOWNLOADING_ARTIFACTS,
    ArtifactConfig,
    ArtifactError,
    ArtifactHook,
    legacy_artifacts,
)
from tests.integration.artifacts.archives import benign_archive
from tests.integration.artifacts.conftest import ArtifactServer, artifact

pytestmark = pytest.mark.integration


class Events:
    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, kind: str, message: str) -> None:
        self.seen.append((kind, message))


def test_prestart_fetches_every_artifact_and_says_so(server: ArtifactServer, task_dir: Path,
                                                     config: ArtifactConfig) -> None:
    arts = [artifact(server.serve(f"/a{i}.tgz", benign_archive("tgz")),
                     relative_dest=f"local/a{i}") for i in range(5)]
    events = Events()
    results = asyncio.run(ArtifactHook(config).prestart(task_dir, arts, {}, events))
    assert events.seen == [(DOWNLOADING_ARTIFACTS, "Client is downloading artifacts")]
    assert [r.destination for r in results] == [task_dir / "local" / f"a{i}" for i in range(5)]
    assert all((task_dir / "local" / f"a{i}" / "bin" / "tool").exists() for i in range(5))
    again = Events()
    results = asyncio.run(ArtifactHook(config).prestart(task_dir, arts, {}, again))
    assert again.seen == [] and all(r.skipped for r in results)


def test_prestart_failure_is_an_artifact_error_and_a_retry_resumes(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig) -> None:
    good = artifact(server.serve("/good", b"good"))
    missing = artifact(server.url("/later"), relative_dest="local/later")
    hook = ArtifactHook(config)
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(hook.prestart(task_dir, [good, missing], {}, Events()))
    assert caught.value.message == (
        f'failed to download artifact "{server.url("/later")}": bad response code: 404')
    assert caught.value.recoverable
    server.serve("/later", b"later")
    asyncio.run(hook.prestart(task_dir, [good, missing], {}, Events()))
    assert server.hits("/good") == 1 and server.hits("/later") == 2
    assert (task_dir / "local" / "later" / "later").read_bytes() == b"later"


def test_the_legacy_form_end_to_end(server: ArtifactServer, task_dir: Path,
                                    config: ArtifactConfig) -> None:
    import hashlib

    body = b"#!/bin/sh\necho legacy\n"
    url = server.serve("/binary.bin", body)
    arts, rest = legacy_artifacts({"artifact_source": url, "command": "binary.bin",
                                   "checksum": "sha256:" + hashlib.sha256(body).hexdigest()})
    asyncio.run(ArtifactHook(config).prestart(task_dir, arts, {}, Events()))
    assert (task_dir / "local" / "binary.bin").read_bytes() == body
    assert rest == {"command": "binary.bin"}
