"""Artifacts through a real agent: downloaded, verified, unpacked, then run (issue 6)."""

from __future__ import annotations

import hashlib
import io
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.agents import AgentProcess
from tests.integration.artifacts.conftest import ArtifactServer, Route
from tests.integration.artifacts.gitrepos import commit, git, make_repo, serve_dumb, write
from tests.integration.exec_driver.helpers import events, exec_job, logs, run

pytestmark = pytest.mark.integration

SCRIPT = b'#!/bin/sh\necho "hello-from-artifact $*"\n'


def _tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _job(job_id: str, driver: str, config: dict[str, Any],
         artifacts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    job = exec_job(job_id, "")
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    task["Driver"], task["Config"] = driver, config
    if artifacts:
        task["Artifacts"] = artifacts
    return job


def test_exec_task_runs_a_binary_from_a_checksummed_archive(
        dev_agent: AgentProcess, server: ArtifactServer) -> None:
    archive = _tgz({"bin/hello": SCRIPT})
    url = server.serve("/tool.tar.gz", archive)
    alloc = run(dev_agent, _job("art-exec", "exec",
                                {"command": "local/bin/hello", "args": ["${NOMAD_JOB_ID}"]},
                                [{"GetterSource": url, "RelativeDest": "local/",
                                  "GetterOptions": {"checksum": "sha256:"
                                                    + hashlib.sha256(archive).hexdigest()}}]))
    assert logs(dev_agent, alloc) == "hello-from-artifact art-exec\n"
    kinds = [e["Type"] for e in events(alloc)]
    assert kinds.index("Downloading Artifacts") < kinds.index("Started")


def test_legacy_artifact_source_form(dev_agent: AgentProcess, server: ArtifactServer) -> None:
    url = server.serve("/hello.sh", SCRIPT)
    config = {"artifact_source": url,
              "checksum": "sha256:" + hashlib.sha256(SCRIPT).hexdigest(),
              "command": "hello.sh", "args": ["legacy"]}
    alloc = run(dev_agent, _job("art-legacy", "exec", config))
    assert logs(dev_agent, alloc) == "hello-from-artifact legacy\n"


def test_interpolated_source_on_raw_exec(dev_agent: AgentProcess,
                                         server: ArtifactServer) -> None:
    server.serve("/art-raw/run.sh", SCRIPT)
    alloc = run(dev_agent, _job("art-raw", "raw_exec", {"command": "local/run.sh"},
                                [{"GetterSource": server.url("/${NOMAD_JOB_ID}/run.sh")}]))
    assert logs(dev_agent, alloc) == "hello-from-artifact \n"


def test_checksum_mismatch_fails_the_task_with_nomads_event(
        dev_agent: AgentProcess, server: ArtifactServer) -> None:
    url = server.serve("/bad.sh", SCRIPT)
    alloc = run(dev_agent, _job("art-bad", "exec", {"command": "local/bad.sh"},
                                [{"GetterSource": url,
                                  "GetterOptions": {"checksum": "sha256:" + "0" * 64}}]))
    failed = [e for e in events(alloc) if e["Type"] == "Failed Artifact Download"]
    assert failed, events(alloc)
    text = failed[0]["DisplayMessage"]
    assert text.startswith(f'failed to download artifact "{url}"')
    assert "Checksums did not match" in text and "Expected: " + "0" * 64 in text
    assert failed[0]["DownloadError"] == text
    assert alloc["ClientStatus"] == "failed"
    assert "Started" not in [e["Type"] for e in events(alloc)]


def test_bad_checksum_syntax_is_refused_at_submit(dev_agent: AgentProcess) -> None:
    import httpx

    job = _job("art-syntax", "exec", {"command": "x"},
               [{"GetterSource": "http://127.0.0.1:9/x",
                 "GetterOptions": {"checksum": "sha257:abcd"}},
                {"GetterSource": "http://127.0.0.1:9/y", "RelativeDest": "../../etc"}])
    r = httpx.post(f"{dev_agent.address}/v1/jobs", json=job)
    assert r.status_code == 400
    assert "unsupported checksum type: sha257" in r.text
    assert "destination escapes allocation directory" in r.text


@pytest.mark.parametrize("driver", ["exec", "raw_exec"])
def test_a_git_artifact_over_http_runs(dev_agent: AgentProcess, server: ArtifactServer,
                                       tmp_path: Path, driver: str) -> None:
    """`git::` through a real agent: a tag of a repository served (dumb HTTP) on 127.0.0.1."""
    repo = make_repo(tmp_path / f"tool-{driver}", {"bin/hello": SCRIPT})
    (repo / "bin" / "hello").chmod(0o755)  # git keeps the executable bit
    commit(repo, "executable")
    git(repo, "tag", "v1")
    write(repo, {"bin/hello": b"#!/bin/sh\necho wrong-ref\n"})
    commit(repo, "after the tag")
    bare = serve_dumb(repo, tmp_path / f"bare-{driver}.git")
    for path in bare.rglob("*"):
        if path.is_file():
            server.routes[f"/tool.git/{path.relative_to(bare)}"] = Route(path.read_bytes())
    job_id = f"art-git-{driver.replace('_', '-')}"
    alloc = run(dev_agent, _job(job_id, driver, {"command": "local/tool/bin/hello"},
                                [{"GetterSource": f"git::{server.url('/tool.git')}",
                                  "RelativeDest": "local/tool",
                                  "GetterOptions": {"ref": "v1"}}]))
    assert logs(dev_agent, alloc) == "hello-from-artifact \n", events(alloc)
