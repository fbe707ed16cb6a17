"""The `git::` getter with the real git binary, on repositories the tests build.

Sources are `file://` repos (the client's allow-list names their directory) and a
dumb-HTTP copy served by the test's own server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, FetchResult, fetch_artifact
from caravan.structs import TaskArtifact
from tests.integration.artifacts.conftest import ArtifactServer, HostGuard, Route, artifact
from tests.integration.artifacts.gitrepos import commit, git, make_repo, serve_dumb, write

pytestmark = pytest.mark.integration

V1 = {"README": b"v1\n", "bin/tool": b"#!/bin/sh\necho v1\n", "sub/conf.txt": b"conf-v1\n"}


@pytest.fixture
def repos(tmp_path: Path) -> Path:
    path = tmp_path / "repos"
    path.mkdir()
    return path


@pytest.fixture
def repo(repos: Path) -> Path:
    """`app`: v1 tagged, then a second commit on main that changes README."""
    path = make_repo(repos / "app", V1)
    git(path, "tag", "v1")
    write(path, {"README": b"v2\n"})
    commit(path, "second")
    return path


def allowing(path: Path) -> ArtifactConfig:
    return ArtifactConfig(allowed_sources=[f"file://{path}/"], http_read_timeout="30s")


def fetch(art: TaskArtifact, task_dir: Path, config: ArtifactConfig) -> FetchResult:
    return asyncio.run(fetch_artifact(art, task_dir, {}, config, alloc_dir=task_dir.parent))


def fails(art: TaskArtifact, task_dir: Path, config: ArtifactConfig) -> str:
    with pytest.raises(ArtifactError) as caught:
        fetch(art, task_dir, config)
    return caught.value.message


def test_a_repository_is_cloned_into_the_destination(repo: Path, repos: Path,
                                                     task_dir: Path, host: HostGuard) -> None:
    result = fetch(artifact(f"git::file://{repo}", relative_dest="local/app"), task_dir,
                   allowing(repos))
    dest = task_dir / "local" / "app"
    assert (dest / "README").read_bytes() == b"v2\n"
    assert (dest / "bin" / "tool").read_bytes() == V1["bin/tool"]
    assert (dest / ".git").is_dir()
    assert result.url == f"file://{repo}" and "README" in result.entries
    assert not [p for p in task_dir.parent.iterdir() if p.name.startswith(".caravan-artifact")]
    host.assert_untouched()


@pytest.mark.parametrize("options", [{"ref": "v1"}, {"ref": "v1", "depth": "1"}])
def test_ref_and_depth_pick_what_is_checked_out(options: dict[str, str], repo: Path,
                                                repos: Path, task_dir: Path) -> None:
    fetch(artifact(f"git::file://{repo}", relative_dest="local/app", getter_options=options),
          task_dir, allowing(repos))
    assert (task_dir / "local" / "app" / "README").read_bytes() == b"v1\n"


def test_a_commit_id_as_ref_and_the_ref_in_the_query(repo: Path, repos: Path,
                                                     task_dir: Path) -> None:
    first = git(repo, "rev-parse", "v1")
    fetch(artifact(f"git::file://{repo}?ref={first}", relative_dest="local/app"), task_dir,
          allowing(repos))
    assert (task_dir / "local" / "app" / "README").read_bytes() == b"v1\n"


def test_a_commit_id_with_depth_is_fetched_alone(repo: Path, repos: Path,
                                                 task_dir: Path) -> None:
    first = git(repo, "rev-parse", "v1")
    fetch(artifact(f"git::file://{repo}", relative_dest="local/app",
                   getter_options={"ref": first, "depth": "1"}), task_dir, allowing(repos))
    dest = task_dir / "local" / "app"
    assert (dest / "README").read_bytes() == b"v1\n"
    assert git(dest, "rev-list", "--count", "HEAD") == "1"


def test_the_size_limit_bounds_a_clone(repo: Path, repos: Path, task_dir: Path) -> None:
    config = ArtifactConfig(allowed_sources=[f"file://{repos}/"],
                            decompression_size_limit="1KiB")
    message = fails(artifact(f"git::file://{repo}", relative_dest="local/app"), task_dir,
                    config)
    assert message.endswith("git repository is larger than 1024 bytes "
                            "(client artifact decompression_size_limit)")
    assert list((task_dir / "local" / "app").iterdir()) == []


def test_a_subdirectory_after_a_double_slash(repo: Path, repos: Path, task_dir: Path) -> None:
    fetch(artifact(f"git::file://{repo}//sub", relative_dest="local/conf"), task_dir,
          allowing(repos))
    assert sorted(p.name for p in (task_dir / "local" / "conf").iterdir()) == ["conf.txt"]


def test_file_repositories_need_the_allow_list(repo: Path, task_dir: Path) -> None:
    message = fails(artifact(f"git::file://{repo}"), task_dir, ArtifactConfig())
    assert message.endswith("is not allowed by the client's artifact allowed_sources")
    assert list((task_dir / "local").iterdir()) == []


def test_a_dumb_http_repository_on_the_test_server(repo: Path, tmp_path: Path,
                                                   server: ArtifactServer,
                                                   task_dir: Path) -> None:
    bare = serve_dumb(repo, tmp_path / "bare.git")
    for path in bare.rglob("*"):
        if path.is_file():
            server.routes[f"/app.git/{path.relative_to(bare)}"] = Route(path.read_bytes())
    fetch(artifact(f"git::{server.url('/app.git')}", relative_dest="local/app",
                   getter_options={"ref": "v1"}), task_dir, ArtifactConfig())
    assert (task_dir / "local" / "app" / "README").read_bytes() == b"v1\n"


def test_a_missing_ref_fails_with_gits_message(repo: Path, repos: Path,
                                               task_dir: Path) -> None:
    message = fails(artifact(f"git::file://{repo}", getter_options={"ref": "nope"}),
                    task_dir, allowing(repos))
    assert message.startswith(f'failed to download artifact "git::file://{repo}": git ')
    assert "nope" in message
    assert list((task_dir / "local").iterdir()) == []


def test_a_symlink_in_the_repository_cannot_lead_out(repos: Path, task_dir: Path,
                                                     host: HostGuard) -> None:
    evil = repos / "evil"
    make_repo(evil, {"ok": b"ok\n"})
    (evil / "escape").symlink_to("../../../../../../../../etc")
    commit(evil, "link out")
    host.take()
    message = fails(artifact(f"git::file://{evil}", relative_dest="local/evil"), task_dir,
                    allowing(repos))
    assert 'symlink "escape" -> "../../../../../../../../etc"' in message
    assert list((task_dir / "local" / "evil").iterdir()) == []
    host.assert_untouched()


def test_a_symlink_planted_at_the_destination_is_not_followed(
        repo: Path, repos: Path, task_dir: Path, tmp_path: Path, host: HostGuard) -> None:
    victim = tmp_path / "sentinel"
    (task_dir / "local" / "app").symlink_to(victim)
    host.take()
    message = fails(artifact(f"git::file://{repo}", relative_dest="local/app"), task_dir,
                    allowing(repos))
    assert 'artifact destination "web/local/app" is not a directory' in message
    assert sorted(p.name for p in victim.iterdir()) == ["victim"]


def test_ssh_sources_are_refused_when_the_client_lists_allowed_sources(
        task_dir: Path) -> None:
    config = ArtifactConfig(allowed_sources=["git.example.com"])
    message = fails(artifact("git@git.example.com:org/repo.git"), task_dir, config)
    assert message.endswith("is not allowed by the client's artifact allowed_sources")
