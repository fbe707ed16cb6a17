"""Running git for a `git::` artifact, so that nothing in a URL, a ref or a repository
makes it run something else.

    git <hardening> clone --template= --no-recurse-submodules [--depth=N] [--branch=REF]
        -- URL <staging>/tree
    git <hardening> -C <staging>/tree checkout --quiet --detach REF --

* Options after `--`, values glued with `=` (go-getter's CVE-2024-3817: a ref or URL
  read as `--upload-pack=...`); gitsource refuses a leading `-` as well.
* Every clone is new, into the root-only staging dir, never into a directory a task can
  write, and git never runs in the destination (CVE-2024-6257: a `.git/config` or hooks
  planted there would run as root on the next fetch).
* No system, global or user config (`GIT_CONFIG_NOSYSTEM`, `GIT_CONFIG_GLOBAL`, an
  empty HOME); hooks off (`core.hooksPath=/dev/null`, no templates), no fsmonitor, no
  credential helper, no prompts, bare repositories only when named (an embedded repo
  in the content stays inert), no redirects (the allow-list saw the URL as given),
  submodules not fetched.
* Only the source's own transport: `protocol.allow=never` plus that one scheme (so no
  `ext::`, and `file` only when the allow-list admitted the file URL).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from pathlib import Path

from caravan.client.artifacts.cancel import Cancel, check
from caravan.client.artifacts.errors import GetterError
from caravan.client.artifacts.gitsource import GitSource

_POLL_S = 0.1
_COMMIT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_MESSAGE_MAX = 2000
_HARDENING = (
    "core.hooksPath=/dev/null", "core.fsmonitor=false", "credential.helper=",
    "core.askPass=", "http.followRedirects=false", "safe.bareRepository=explicit",
    "submodule.recurse=false", "transfer.fsckObjects=true", "protocol.allow=never",
    "core.symlinks=true", "init.templateDir=",
)


def git_clone(source: GitSource, stage: Path, timeout: float, max_bytes: int = 0,
              cancel: Cancel | None = None) -> Path:
    """Clone `source` into `stage/tree` and check out its ref; the tree's path.

    `max_bytes` (the client's decompression_size_limit; 0: none) bounds the clone,
    `.git` included, checked once git has finished."""
    home = stage / "home"
    os.mkdir(home, 0o700)
    config = [*_HARDENING, f"protocol.{source.scheme}.allow=always"]
    if source.sshkey is not None:
        config.append(f"core.sshCommand={_ssh_command(source.sshkey, stage)}")
    env = _environment(home, source.scheme)
    base = ["git", *[arg for item in config for arg in ("-c", item)]]
    tree = stage / "tree"
    deadline = time.monotonic() + timeout if timeout else None
    if source.depth is not None and source.ref is not None and _COMMIT_ID.match(source.ref):
        # A shallow clone of a commit: `--branch` takes only branches and tags.
        _run([*base, "init", "--quiet", "--template=", "--", str(tree)], env, source,
             deadline, cancel)
        _run([*base, "-C", str(tree), "fetch", "--quiet", f"--depth={source.depth}", "--",
              source.url, source.ref], env, source, deadline, cancel)
        _run([*base, "-C", str(tree), "checkout", "--quiet", "--detach", "FETCH_HEAD", "--"],
             env, source, deadline, cancel)
        _check_size(tree, max_bytes)
        return tree
    clone = [*base, "clone", "--quiet", "--template=", "--no-recurse-submodules"]
    if source.depth is not None:
        clone.append(f"--depth={source.depth}")
        if source.ref is not None:
            clone.append(f"--branch={source.ref}")
    _run([*clone, "--", source.url, str(tree)], env, source, deadline, cancel)
    _check_size(tree, max_bytes)
    if source.ref is not None and source.depth is None:
        # `REF --`: the ref is a commit, never a path; gitsource refused a leading `-`.
        _run([*base, "-C", str(tree), "checkout", "--quiet", "--detach", source.ref, "--"],
             env, source, deadline, cancel)
    return tree


def _check_size(tree: Path, max_bytes: int) -> None:
    if not max_bytes:
        return
    total = 0
    for dirpath, _, filenames, dirfd in os.fwalk(tree):
        for name in filenames:
            total += os.stat(name, dir_fd=dirfd, follow_symlinks=False).st_size
    if total > max_bytes:
        raise GetterError(f"git repository is larger than {max_bytes} bytes "
                          "(client artifact decompression_size_limit)")


def _environment(home: Path, scheme: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(home),
        "XDG_CONFIG_HOME": str(home), "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_TERMINAL_PROMPT": "0",
        "GIT_ALLOW_PROTOCOL": scheme, "GIT_PROTOCOL_FROM_USER": "0",
        "GIT_SSH_VARIANT": "ssh",
    }


def _ssh_command(key: bytes, stage: Path) -> str:
    """The per-fetch key in the staging dir; no agent, no prompts, no host config."""
    path = stage / "ssh-key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key if key.endswith(b"\n") else key + b"\n")
    return " ".join(["ssh", "-F", "/dev/null", "-i", shlex.quote(str(path)), "-o",
                     "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "IdentityAgent=none"])


def _run(argv: list[str], env: dict[str, str], source: GitSource, deadline: float | None,
         cancel: Cancel | None) -> None:
    try:
        process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   cwd="/", start_new_session=True)
    except FileNotFoundError as err:
        raise GetterError("git is not installed on this client",
                          hint="install git (scripts/setup does) to fetch git:: artifacts"
                          ) from err
    try:
        while True:
            try:
                _, stderr = process.communicate(timeout=_POLL_S)
                break
            except subprocess.TimeoutExpired:
                check(cancel)
                if deadline is not None and time.monotonic() > deadline:
                    raise GetterError(f"git did not finish fetching {source.shown} in time "
                                      "(client artifact http_read_timeout)") from None
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    if process.returncode != 0:
        text = stderr.decode(errors="replace").strip()[-_MESSAGE_MAX:]
        step = next(a for a in ("checkout", "fetch", "init", "clone") if a in argv)
        raise GetterError(f"git {step} of {source.shown} failed: "
                          f"{text.replace(source.url, source.shown)}")
