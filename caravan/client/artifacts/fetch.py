"""Fetch one artifact into a task dir: interpolate, check, download, verify, unpack, place.

    definition ──${...}──▶ source (allow-list) ──▶ root-only staging dir in the alloc dir
       download (limits, checksum while streaming) ──▶ unpack (guarded) ──▶ finalize
       (modes, owner) ──▶ rename into place ──▶ marker `private/artifacts/<key>`

All file work runs in one worker thread. Nothing reaches the destination before every
check passed: a refused archive leaves only the (removed) staging dir behind. Staging
lives beside the task dirs, where no task can write (see place.py), so a sibling task
cannot redirect a download or an unpack by swapping a directory for a symlink. The
marker, keyed by a hash of the definition, makes a retry skip what already arrived.
"""

from __future__ import annotations

import asyncio
import json
import os
import posixpath
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlsplit

from caravan.client.allocdir import SHARED_DIR
from caravan.client.artifacts.allow import check_allowed
from caravan.client.artifacts.cancel import Cancel
from caravan.client.artifacts.checksum import verify_checksum
from caravan.client.artifacts.definition import (
    artifact_key,
    interpolate_artifact,
    substitute,
)
from caravan.client.artifacts.download import download
from caravan.client.artifacts.errors import ArtifactError, GetterError
from caravan.client.artifacts.extract import detect_archive, unpack, unpacked_name
from caravan.client.artifacts.members import Limits
from caravan.client.artifacts.place import (
    finalize,
    merge,
    open_beneath,
    place_file,
    staging,
)
from caravan.client.artifacts.gitclone import git_clone
from caravan.client.artifacts.gitsource import is_git_source, parse_git_source
from caravan.client.artifacts.source import parse_source
from caravan.client.beneath import Root
from caravan.config.artifact import ArtifactConfig
from caravan.config.sources import AllowRule, parse_rule
from caravan.structs import TaskArtifact

MARKER_DIR = ("private", "artifacts")
CANCEL_GRACE = 10.0
_MULTI_FILE = ("tar", "tar.gz", "tar.bz2", "tar.xz", "zip")
_ESCAPES = "artifact destination path escapes alloc directory"


@dataclass(frozen=True)
class FetchResult:
    source: str  # as written in the job
    url: str  # what was fetched, credentials hidden ("" when skipped)
    destination: Path  # the directory filled, or the file written in mode "file"
    entries: tuple[str, ...] = ()  # top-level names placed
    size: int = 0  # bytes downloaded
    skipped: bool = False  # fetched by an earlier attempt


async def fetch_artifact(artifact: TaskArtifact, task_dir: Path, env: Mapping[str, str],
                         config: ArtifactConfig, *, owner: tuple[int, int] | None = None,
                         alloc_dir: Path | None = None,
                         dest_env: Mapping[str, str] | None = None) -> FetchResult:
    """Fetch `artifact` into `task_dir` in a worker thread; ArtifactError on failure.

    Idempotent: an artifact already fetched into this task dir is skipped. `owner`
    (uid, gid) is applied when the artifact says `chown = true`. With `alloc_dir`,
    the destination may also be the alloc's shared dir, as in Nomad. `dest_env`
    interpolates the destination: the task's variables with the directory ones as
    host paths (Nomad's client env), where `env` has them as the task sees them.
    Cancelling interrupts the download (a blocked read included) or the unpacking,
    and waits up to CANCEL_GRACE seconds for the worker to remove its staging dir
    before re-raising; a worker still busy then cleans up on its own when it ends.
    """
    cancel = Cancel()
    worker = asyncio.ensure_future(asyncio.to_thread(
        fetch_artifact_sync, artifact, task_dir, env, config,
        owner=owner, alloc_dir=alloc_dir, dest_env=dest_env, cancel=cancel))
    try:
        return await asyncio.shield(worker)
    except asyncio.CancelledError:
        cancel.set()
        await asyncio.wait([worker], timeout=CANCEL_GRACE)
        worker.add_done_callback(_retrieve)  # the cancellation is what we report
        raise


def fetch_artifact_sync(artifact: TaskArtifact, task_dir: Path, env: Mapping[str, str],
                        config: ArtifactConfig, *, owner: tuple[int, int] | None = None,
                        alloc_dir: Path | None = None, dest_env: Mapping[str, str] | None = None,
                        cancel: Cancel | None = None) -> FetchResult:
    """The blocking body of `fetch_artifact`."""
    try:
        return _fetch(artifact, task_dir, env, dest_env or env, config, owner, alloc_dir,
                      cancel)
    except GetterError as err:
        raise ArtifactError.wrap(artifact.getter_source, err) from err
    except OSError as err:
        raise ArtifactError.wrap(artifact.getter_source, GetterError(str(err))) from err


def is_fetched(artifact: TaskArtifact, task_dir: Path) -> bool:
    """Whether an earlier attempt already fetched this definition into `task_dir`."""
    try:
        with open_beneath(task_dir, MARKER_DIR, create=False) as fd:
            info = os.stat(artifact_key(artifact), dir_fd=fd, follow_symlinks=False)
    except (GetterError, FileNotFoundError):
        return False
    return stat.S_ISREG(info.st_mode)


def _fetch(artifact: TaskArtifact, task_dir: Path, env: Mapping[str, str],
           dest_env: Mapping[str, str], config: ArtifactConfig, owner: tuple[int, int] | None, alloc_dir: Path | None,
           cancel: Cancel | None) -> FetchResult:
    root = alloc_dir or task_dir
    if is_fetched(artifact, task_dir):
        return FetchResult(artifact.getter_source, "", root, skipped=True)
    spec = interpolate_artifact(artifact, env)
    relative_dest = substitute(artifact.relative_dest, dest_env)
    rules = [parse_rule(entry) for entry in config.allowed_sources]
    if is_git_source(spec.getter_source):
        parts, _ = _destination(task_dir, root, alloc_dir, relative_dest, "dir", "")
        return _fetch_git(artifact, spec, root, parts, config, rules,
                          owner if spec.chown else None, alloc_dir or task_dir.parent,
                          task_dir, cancel)
    source = parse_source(spec.getter_source, spec.getter_options)
    check_allowed(source.url, rules, shown=source.shown)
    kind = detect_archive(source.filename, source.archive)
    if spec.getter_mode == "dir" and kind not in _MULTI_FILE:
        raise GetterError('mode "dir" needs a tar or zip archive as its source')
    parts, leaf = _destination(task_dir, root, alloc_dir, relative_dest, spec.getter_mode,
                               source.filename)
    limits = Limits(config.decompression_size_limit, config.decompression_file_count_limit)
    with open_beneath(root, parts, create=True) as dest_fd, \
            staging(alloc_dir or task_dir.parent) as stage:
        fetched = download(source, stage / "download", config, rules,
                           headers=spec.getter_headers, insecure=spec.getter_insecure,
                           cancel=cancel)
        if source.checksum is not None and fetched.digest is not None:
            shown = "/".join([*parts, leaf or _file_name(source.filename)])
            verify_checksum(source.checksum, fetched.digest, shown)
        tree = stage / "tree"
        os.mkdir(tree, 0o700)
        if kind is None:
            _keep_as_is(stage / "download", tree / _file_name(source.filename))
        else:
            unpack(stage / "download", kind, tree, unpacked_name(source.filename, kind),
                   limits, cancel)
        finalize(tree, owner if spec.chown else None)
        entries = _place(tree, dest_fd, leaf)
    _mark_fetched(artifact, task_dir, source.shown)
    destination = root.joinpath(*parts, *([leaf] if leaf else []))
    return FetchResult(artifact.getter_source, source.shown, destination, tuple(entries),
                       fetched.size)


def _fetch_git(artifact: TaskArtifact, spec: TaskArtifact, root: Path, parts: list[str],
               config: ArtifactConfig, rules: list[AllowRule], owner: tuple[int, int] | None,
               staging_in: Path, task_dir: Path, cancel: Cancel | None) -> FetchResult:
    """A `git::` source: cloned fresh in staging (never in the destination), checked,
    then renamed into place like an unpacked archive."""
    git = parse_git_source(spec.getter_source, spec.getter_options)
    check_allowed(git.url, rules, shown=git.shown)
    if git.scheme == "file":  # the allow-list holds for the repository, not a link to it
        real = os.path.realpath(urlsplit(git.url).path)
        check_allowed("file://" + quote(real), rules, shown=git.shown)
    if spec.getter_mode == "file":
        raise GetterError('mode "file" cannot fetch a git repository')
    with open_beneath(root, parts, create=True) as dest_fd, staging(staging_in) as stage:
        tree = git_clone(git, stage, config.http_read_timeout,
                         config.decompression_size_limit, cancel)
        if git.subdir:
            tree = _subdir(tree, git.subdir)
        finalize(tree, owner)
        entries = _place(tree, dest_fd, None)
    _mark_fetched(artifact, task_dir, git.shown)
    return FetchResult(artifact.getter_source, git.shown, root.joinpath(*parts),
                       tuple(entries))


def _subdir(tree: Path, subdir: str) -> Path:
    """`tree/<subdir>`, a directory reached without a symlink (the repo chose the names)."""
    with open_beneath(tree, subdir.split("/"), create=False):
        pass
    return tree.joinpath(*subdir.split("/"))


def _retrieve(worker: asyncio.Future[FetchResult]) -> None:
    if not worker.cancelled():
        worker.exception()


def _destination(task_dir: Path, root: Path, alloc_dir: Path | None, relative_dest: str,
                 mode: str, filename: str) -> tuple[list[str], str | None]:
    """Destination directory parts under `root`, and the file name in mode "file".

    Nomad's rule (its ClientPath): the interpolated destination, if relative or
    outside both the task dir and the shared alloc dir, is taken inside the task dir
    (`/tmp/x` means the task's own `tmp/x`, as in a chroot); what still lies outside
    both (`../../x`, a sibling's task dir) is refused.
    """
    dest = relative_dest or "local/"
    if mode == "file" and (not relative_dest or dest.endswith("/")):
        dest = posixpath.join(dest, _file_name(filename))
    allowed = [str(task_dir)] + ([str(alloc_dir / SHARED_DIR)] if alloc_dir else [])
    full = os.path.normpath(dest)
    if not os.path.isabs(full) or not _inside_any(full, allowed):
        full = os.path.normpath(os.path.join(task_dir, dest.lstrip("/")))  # Go's Join
    if not _inside_any(full, allowed):
        raise GetterError(_ESCAPES)
    rel = os.path.relpath(full, root)
    if rel == ".." or rel.startswith("../") or (mode == "file" and rel == "."):
        raise GetterError(_ESCAPES)
    parts = [] if rel == "." else rel.split(os.sep)
    return (parts[:-1], parts[-1]) if mode == "file" else (parts, None)


def _inside_any(path: str, dirs: list[str]) -> bool:
    return any(path == d or path.startswith(d.rstrip("/") + "/") for d in dirs)


def _file_name(name: str) -> str:
    if not name or "/" in name or name in (".", ".."):
        raise GetterError(f"cannot name the downloaded file {name!r}",
                          hint='give the artifact a destination, or options { filename = "..." }')
    return name


def _keep_as_is(download: Path, target: Path) -> None:
    os.rename(download, target)
    os.chmod(target, 0o755)  # downloaded binaries are meant to be run


def _place(tree: Path, dest_fd: int, leaf: str | None) -> list[str]:
    tree_fd = os.open(tree, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        if leaf is None:
            return merge(tree_fd, dest_fd)
    finally:
        os.close(tree_fd)
    files = [Path(d, f) for d, _, names in os.walk(tree) for f in names]
    if len(files) != 1 or files[0].is_symlink():
        raise GetterError(f'mode "file" needs exactly one file; the artifact holds {len(files)}')
    src_fd = os.open(files[0].parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        place_file(src_fd, files[0].name, dest_fd, leaf)
    finally:
        os.close(src_fd)
    return [leaf]


def _mark_fetched(artifact: TaskArtifact, task_dir: Path, shown: str) -> None:
    with Root.open(task_dir) as task, \
            task.opendir("/".join(MARKER_DIR), create=True, mode=0o700) as markers:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        with os.fdopen(markers.open_file(artifact_key(artifact), flags, 0o600), "w") as out:
            json.dump({"source": artifact.getter_source, "url": shown}, out)
