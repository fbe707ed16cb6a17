"""`git::` artifacts cannot make the agent (root) run anything: go-getter's CVE-2024-3817
(a ref, URL or option read as a git option) and CVE-2024-6257 (a repository's config
or hooks run on a later fetch into a directory the task controls).

Each planted payload is first shown to be live (plain git run the naive way does fire
it), then the fetch through caravan must not.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, fetch_artifact
from caravan.structs import TaskArtifact
from tests.integration.artifacts.conftest import HostGuard, artifact
from tests.integration.artifacts.conftest import host, task_dir  # noqa: F401 - fixtures
from tests.integration.artifacts.gitrepos import GIT_ENV, commit, git, make_repo, write

pytestmark = pytest.mark.integration


@pytest.fixture
def repos(tmp_path: Path) -> Path:
    path = tmp_path / "repos"
    make_repo(path / "app", {"README": b"v1\n"})
    git(path / "app", "tag", "v1")
    write(path / "app", {"README": b"v2\n"})
    commit(path / "app", "second")
    return path


@pytest.fixture
def canary(tmp_path: Path) -> Path:
    """Where a payload would write: it must never exist."""
    return tmp_path / "canary"


def config(repos: Path) -> ArtifactConfig:
    return ArtifactConfig(allowed_sources=[f"file://{repos}/"], http_read_timeout="30s")


def fetch(art: TaskArtifact, task_dir: Path, repos: Path) -> None:
    asyncio.run(fetch_artifact(art, task_dir, {}, config(repos), alloc_dir=task_dir.parent))


def refused(art: TaskArtifact, task_dir: Path, repos: Path) -> str:
    with pytest.raises(ArtifactError) as caught:
        fetch(art, task_dir, repos)
    return caught.value.message


@pytest.mark.parametrize("options", [
    {"ref": "--upload-pack=touch {canary}"},
    {"ref": "-c core.hooksPath=/tmp"},
    {"ref": "--output={canary}"},
    {"depth": "1 --upload-pack=touch {canary}"},
    {"depth": "--upload-pack=touch {canary}"},
])
def test_an_option_in_ref_or_depth_is_refused(options: dict[str, str], repos: Path,
                                             canary: Path, task_dir: Path,
                                             host: HostGuard) -> None:
    options = {k: v.format(canary=canary) for k, v in options.items()}
    message = refused(artifact(f"git::file://{repos}/app", getter_options=options),
                      task_dir, repos)
    assert "is refused" in message or "must be a positive whole number" in message
    assert not canary.exists()
    assert list((task_dir / "local").iterdir()) == []
    host.assert_untouched()


@pytest.mark.parametrize("source", [
    "git::--upload-pack=touch {canary}",
    "git::-u touch {canary} file://{repos}/app",
    "git::ssh://-oProxyCommand=touch%20{canary}/repo",
    "git::ssh://-oProxyCommand=touch {canary}@host/repo",
    "git::ext::sh -c touch% {canary}",
    "git::file://{repos}/app?ref=--upload-pack=touch%20{canary}",
    "-oProxyCommand=touch@host:repo",
])
def test_an_option_in_the_url_is_refused(source: str, repos: Path, canary: Path,
                                         task_dir: Path, host: HostGuard) -> None:
    refused(artifact(source.format(canary=canary, repos=repos)), task_dir, repos)
    assert not canary.exists()
    assert list((task_dir / "local").iterdir()) == []
    host.assert_untouched()


def test_hooks_and_config_planted_in_the_destination_never_run(
        repos: Path, canary: Path, task_dir: Path) -> None:
    """CVE-2024-6257: the task owns its dir; after a first fetch it plants hooks and
    config in the clone's `.git`; a second fetch into the same place must not run git
    there (go-getter's `git pull` into an existing clone did, as root)."""
    fetch(artifact(f"git::file://{repos}/app", relative_dest="local/app"), task_dir, repos)
    dest = task_dir / "local" / "app"
    hook = dest / ".git" / "hooks" / "post-checkout"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\ntouch {canary}\n")
    hook.chmod(0o755)
    git(dest, "config", "core.fsmonitor", f"touch {canary}; false")
    git(dest, "config", "core.pager", f"touch {canary}")
    # The plant is live: git run the naive way inside the clone fires it.
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", "v1"], env=GIT_ENV, check=False,
                   capture_output=True)
    assert canary.exists()
    canary.unlink()

    fetch(artifact(f"git::file://{repos}/app", relative_dest="local/app",
                   getter_options={"ref": "v1"}), task_dir, repos)
    assert not canary.exists()
    assert (dest / "README").read_bytes() == b"v1\n"


def test_the_agents_own_git_config_and_environment_are_not_used(
        repos: Path, canary: Path, task_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A hooks path or a transport in the agent's HOME config or GIT_* variables (say,
    from the shell that started it) must not reach the git the agent runs."""
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "post-checkout").write_text(f"#!/bin/sh\ntouch {canary}\n")
    (hooks / "post-checkout").chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[core]\n\thooksPath = {hooks}\n")
    inherited = {"HOME": str(home), "GIT_CONFIG_COUNT": "1",
                 "GIT_CONFIG_KEY_0": "core.hooksPath", "GIT_CONFIG_VALUE_0": str(hooks)}
    # The plant is live: a clone with the agent's environment fires the hook.
    naive = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    subprocess.run(["git", "clone", "-q", "--", f"file://{repos}/app", str(tmp_path / "n")],
                   env={**naive, **inherited}, check=True, capture_output=True)
    assert canary.exists()
    canary.unlink()

    for key, value in inherited.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_SSH_COMMAND", f"touch {canary}")
    fetch(artifact(f"git::file://{repos}/app", relative_dest="local/app"), task_dir, repos)
    assert not canary.exists()
    assert (task_dir / "local" / "app" / "README").read_bytes() == b"v2\n"


def test_an_embedded_repository_in_the_content_stays_inert(
        repos: Path, canary: Path, task_dir: Path) -> None:
    """A repo may carry a directory that looks like a bare repository with an fsmonitor
    command; cloning and placing it runs nothing."""
    evil = repos / "evil"
    make_repo(evil, {"ok": b"ok\n"})
    bare = evil / "inner"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], env=GIT_ENV, check=True)
    (bare / "config").write_text(f"[core]\n\tbare = false\n\tworktree = ..\n"
                                 f"\tfsmonitor = touch {canary}; false\n")
    commit(evil, "embed a repository")
    fetch(artifact(f"git::file://{evil}", relative_dest="local/evil",
                   getter_options={"depth": "1"}), task_dir, repos)
    assert not canary.exists()
    assert (task_dir / "local" / "evil" / "inner" / "config").exists()


def test_submodules_are_not_fetched(repos: Path, canary: Path, task_dir: Path) -> None:
    """A submodule URL could name any transport (`ext::`) or host path: none is followed."""
    parent = repos / "parent"
    make_repo(parent, {"ok": b"ok\n"})
    (parent / ".gitmodules").write_text(
        f'[submodule "x"]\n\tpath = x\n\turl = ext::sh -c touch% {canary}\n')
    commit(parent, "a submodule")
    fetch(artifact(f"git::file://{parent}", relative_dest="local/p"), task_dir, repos)
    assert not canary.exists()
    assert (task_dir / "local" / "p" / "ok").read_bytes() == b"ok\n"
