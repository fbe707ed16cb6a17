"""Real git repositories for artifact tests, made with the `git` binary in a tmp dir.

The tests' own git calls read no user or system config either, so a developer's
`~/.gitconfig` cannot change what they build.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

GIT_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null", "LC_ALL": "C",
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], env=GIT_ENV, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def write(repo: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def make_repo(path: Path, files: dict[str, bytes], *, branch: str = "main") -> Path:
    """A repository at `path` with one commit of `files` on `branch`."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", branch)
    write(path, files)
    commit(path, "first")
    return path


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def serve_dumb(repo: Path, into: Path) -> Path:
    """A bare copy of `repo` that a static HTTP server can serve (git's dumb protocol)."""
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(into)], env=GIT_ENV,
                   check=True, capture_output=True)
    git(into, "update-server-info")
    return into
