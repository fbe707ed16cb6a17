"""Artifact destinations written with `${NOMAD_ALLOC_DIR}`, `${NOMAD_TASK_DIR}` and
`${NOMAD_SECRETS_DIR}` land where the task reads the same variable (issue 11 part 7).

The agent places files on the host, so it interpolates destinations with the host
paths of those directories; an exec task sees them as `/alloc`, `/local`, `/secrets`
(its private tmpfs, which the driver fills with what prestart placed there).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, fetch_artifact
from tests.agents import AgentProcess
from tests.integration.artifacts.conftest import ArtifactServer, HostGuard, artifact
from tests.integration.exec_driver.helpers import events, exec_job, logs, run

pytestmark = pytest.mark.integration

READ = ('cat "$NOMAD_ALLOC_DIR/shared.txt" "$NOMAD_TASK_DIR/conf/local.txt" '
        '"$NOMAD_SECRETS_DIR/secret.txt" "$NOMAD_ALLOC_DIR/data/in-data.txt"')


def _job(job_id: str, driver: str, server: ArtifactServer) -> dict[str, Any]:
    job = exec_job(job_id, READ)
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    task["Driver"] = driver
    task["Artifacts"] = [
        {"GetterSource": server.serve("/shared.txt", b"shared\n"),
         "RelativeDest": "${NOMAD_ALLOC_DIR}"},
        {"GetterSource": server.serve("/local.txt", b"local\n"),
         "RelativeDest": "${NOMAD_TASK_DIR}/conf/"},
        {"GetterSource": server.serve("/secret.txt", b"secret\n"),
         "RelativeDest": "${NOMAD_SECRETS_DIR}"},
        {"GetterSource": server.serve("/data.bin", b"data\n"), "GetterMode": "file",
         "RelativeDest": "${NOMAD_ALLOC_DIR}/data/in-data.txt"},
    ]
    return job


@pytest.mark.parametrize("driver", ["exec", "raw_exec"])
def test_directory_variables_in_a_destination_land_where_the_task_reads_them(
        dev_agent: AgentProcess, server: ArtifactServer, driver: str) -> None:
    alloc = run(dev_agent, _job(f"art-dirs-{driver.replace('_', '-')}", driver, server))
    assert logs(dev_agent, alloc, stream="stderr") == ""
    assert logs(dev_agent, alloc) == "shared\nlocal\nsecret\ndata\n", events(alloc)
    assert alloc["ClientStatus"] == "complete"


def test_a_sibling_task_dir_is_not_a_destination(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig, host: HostGuard) -> None:
    """Only the task's own dir and the shared alloc dir take artifacts (Nomad's rule):
    another task of the alloc is not this task's to write. Named relatively it is
    refused; named absolutely (as a path that is neither dir) it is taken inside the
    task's own dir, as for any absolute destination."""
    sibling = task_dir.parent / "sidecar"
    (sibling / "local").mkdir(parents=True)
    host.take()
    url = server.serve("/tool", b"bin")
    with pytest.raises(ArtifactError) as caught:
        asyncio.run(fetch_artifact(artifact(url, relative_dest="../sidecar/local"), task_dir,
                                   {}, config, alloc_dir=task_dir.parent))
    assert caught.value.message.endswith("artifact destination path escapes alloc directory")
    asyncio.run(fetch_artifact(artifact(url, relative_dest="${SIDE}/local"), task_dir,
                               {"SIDE": str(sibling)}, config, alloc_dir=task_dir.parent))
    inside = task_dir.joinpath(*sibling.parts[1:], "local", "tool")
    assert inside.read_bytes() == b"bin"
    assert list((sibling / "local").iterdir()) == []


def test_an_absolute_destination_outside_the_dirs_is_taken_inside_the_task_dir(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig) -> None:
    """`/opt/app` in a chroot task means its own `opt/app`: Nomad joins it to the task dir."""
    url = server.serve("/tool", b"bin")
    asyncio.run(fetch_artifact(artifact(url, relative_dest="/opt/app"), task_dir, {}, config,
                               alloc_dir=task_dir.parent))
    assert (task_dir / "opt" / "app" / "tool").read_bytes() == b"bin"
