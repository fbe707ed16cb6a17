"""Files beneath a root directory, reached without following any symlink.

The agent is root and a task owns what lies under its alloc dir: any name there may
become a symlink between a check and a use. So no caller hands a whole path to the
kernel. A `Root` is an open directory; every operation names a path relative to it,
and each component of that path is resolved without following a symlink and without
leaving the root:

    openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)   (Linux >= 5.6)
    otherwise one openat(O_DIRECTORY | O_NOFOLLOW) per directory, then *at calls on the leaf

A symlink anywhere in the path is refused (`PathRefused`, an OSError with ELOOP), the
leaf included, except for `lstat`, `unlink` and `rename`, which act on a link itself.
Absolute paths, `..` and NUL are refused before any system call. Files opened for
reading or writing must be regular files (a FIFO would block the reader, a device
open has side effects) and, unless asked otherwise, not hard-linked elsewhere.

Standard library only, no import-time work, no typing import at run time: the per-task
executor runs as `python3 -I -S` without the caravan package and loads this very file
by its path (see executor.py). Roots are not thread-safe to close; everything else is
plain system calls on file descriptors.
"""

from __future__ import annotations

import errno
import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ctypes
    from types import TracebackType
    from typing import BinaryIO

_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
_RESOLVE_NO_MAGICLINKS, _RESOLVE_NO_SYMLINKS, _RESOLVE_BENEATH = 0x02, 0x04, 0x08
_RESOLVE = _RESOLVE_BENEATH | _RESOLVE_NO_SYMLINKS | _RESOLVE_NO_MAGICLINKS
_SYS_OPENAT2 = 437  # the same number on every Linux architecture
_FLATTEN_DEPTH = 64  # remove_tree keeps at most this many directories open


class PathRefused(OSError):
    """A path that would follow a symlink, leave the root, or is not what was expected."""

    def __init__(self, path: str, why: str, code: int = errno.ELOOP) -> None:
        super().__init__(code, f"{path}: {why}")
        self.path = path
        self.why = why


def split_relative(path: str) -> list[str]:
    """`a/b//c/` -> ["a", "b", "c"]; "" and "." -> []. Refuses absolute paths, `..`, NUL."""
    if "\x00" in path:
        raise PathRefused(repr(path), "contains a NUL byte", errno.EINVAL)
    if path.startswith("/"):
        raise PathRefused(path, "is absolute; a path relative to the root is needed",
                          errno.EINVAL)
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise PathRefused(path, 'contains ".."', errno.EXDEV)
    return parts


class Root:
    """An open directory; every path given to its methods is resolved beneath it.

    `Root.open(path)` trusts `path` itself (the agent made it, no task can change it);
    nothing below it is trusted. `openat2=None` uses openat2 where the kernel has it.
    """

    def __init__(self, fd: int, path: str, openat2: bool | None = None) -> None:
        self.fd = fd
        self.path = path  # for messages only; never used to reach a file
        self._openat2 = openat2

    @property
    def openat2(self) -> bool:
        """Asked only when a path has more than one component: single names never need it."""
        if self._openat2 is None:
            self._openat2 = openat2_available()
        return self._openat2

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, openat2: bool | None = None) -> Root:
        return cls(os.open(path, _DIR), os.fspath(path), openat2)

    def __enter__(self) -> Root:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def shown(self, rel: str) -> str:
        """`rel` joined to the root's path, for messages."""
        return os.path.join(self.path, rel) if rel not in ("", ".") else self.path

    # --- directories ----------------------------------------------------------

    def opendir(self, rel: str, *, create: bool = False, mode: int = 0o755) -> Root:
        """The directory `rel` as a Root of its own. With `create`, missing directories
        are made with exactly `mode` (not filtered by the umask); existing ones keep theirs."""
        parts = split_relative(rel)
        if not create:
            return Root(self._open_dir(parts, rel), self.shown(rel), self._openat2)
        fd = os.dup(self.fd)
        try:
            for index, part in enumerate(parts):
                child = _mkdir_open(fd, part, mode, fix_mode=False,
                                    shown=self.shown("/".join(parts[:index + 1])))
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return Root(fd, self.shown(rel), self._openat2)

    def ensure_dir(self, rel: str, mode: int) -> None:
        """Make directory `rel` (its parent must exist) or keep it, and give it exactly
        `mode`; refuses a symlink or file in its place. Idempotent."""
        parent, name = self._parent(rel)
        try:
            os.close(_mkdir_open(parent, name, mode, fix_mode=True, shown=self.shown(rel)))
        finally:
            self._release(parent)

    def listdir(self, rel: str = ".") -> list[str]:
        with self.opendir(rel) as directory:
            return os.listdir(directory.fd)

    # --- files --------------------------------------------------------------------

    def open_file(self, rel: str, flags: int, mode: int = 0o644, *,
             hardlinks: bool = False) -> int:
        """A descriptor of the regular file `rel` (O_CLOEXEC). With O_CREAT a missing file
        is created as a new file, never through a link; an existing one is reopened from
        a descriptor that was checked first, so no FIFO or device is ever opened."""
        parent, name = self._parent(rel)
        try:
            return _open_regular(parent, name, flags, mode, hardlinks, self.shown(rel))
        finally:
            self._release(parent)

    def reader(self, rel: str) -> BinaryIO:
        return os.fdopen(self.open_file(rel, os.O_RDONLY), "rb")

    def lstat(self, rel: str) -> os.stat_result:
        """The entry `rel` itself (a symlink is reported as one, not followed)."""
        if not split_relative(rel):
            return os.fstat(self.fd)
        parent, name = self._parent(rel)
        try:
            return os.stat(name, dir_fd=parent, follow_symlinks=False)
        finally:
            self._release(parent)

    def chmod(self, rel: str, mode: int) -> None:
        """Change the mode of `rel`; a symlink is refused (chmod would follow it)."""
        with self._pinned(rel) as pinned:
            # fchmod does not take O_PATH descriptors; the /proc link reaches the same inode.
            os.chmod(f"/proc/self/fd/{pinned}", mode)

    def chown(self, rel: str, uid: int, gid: int) -> None:
        """Change the owner of `rel`; a symlink itself is changed, never its target."""
        parent, name = self._parent(rel)
        try:
            os.chown(name, uid, gid, dir_fd=parent, follow_symlinks=False)
        finally:
            self._release(parent)

    def unlink(self, rel: str) -> None:
        """Remove a file or symlink (the link, not its target)."""
        parent, name = self._parent(rel)
        try:
            os.unlink(name, dir_fd=parent)
        finally:
            self._release(parent)

    def rename(self, rel: str, dst: str, dst_root: Root | None = None) -> None:
        """Rename `rel` to `dst` beneath `dst_root` (default: this root); replaces a file
        or symlink at `dst` without following it."""
        target = dst_root or self
        src_parent, src_name = self._parent(rel)
        try:
            dst_parent, dst_name = target._parent(dst)
            try:
                os.rename(src_name, dst_name, src_dir_fd=src_parent, dst_dir_fd=dst_parent)
            finally:
                target._release(dst_parent)
        finally:
            self._release(src_parent)

    def remove_tree(self, rel: str) -> None:
        """Remove `rel` and everything below it without following a link; a missing
        `rel` is fine. Any depth: deep directories are moved up instead of held open."""
        parent, name = self._parent(rel)
        try:
            _remove_tree(parent, name)
        finally:
            self._release(parent)

    # --- resolution ----------------------------------------------------------------

    def _parent(self, rel: str) -> tuple[int, str]:
        """(descriptor of the parent directory, leaf name); release with `_release`."""
        parts = split_relative(rel)
        if not parts:
            raise PathRefused(self.shown(rel), "names the root itself", errno.EINVAL)
        if len(parts) == 1:
            return self.fd, parts[0]
        return self._open_dir(parts[:-1], rel), parts[-1]

    def _release(self, fd: int) -> None:
        if fd != self.fd:
            os.close(fd)

    def _open_dir(self, parts: list[str], rel: str) -> int:
        if not parts:
            return os.dup(self.fd)
        if self.openat2:
            try:
                return openat2(self.fd, "/".join(parts), _DIR)
            except OSError as err:
                raise _refusal(err, self.shown(rel)) from None
        fd = os.dup(self.fd)
        try:
            for part in parts:
                child = _open_child_dir(fd, part, self.shown(rel))
                os.close(fd)
                fd = child
        except BaseException:
            os.close(fd)
            raise
        return fd

    def _pinned(self, rel: str) -> _Pinned:
        if not split_relative(rel):
            return _Pinned(os.dup(self.fd))
        parent, name = self._parent(rel)
        try:
            return _Pinned(_open_path(parent, name, self.shown(rel)))
        finally:
            self._release(parent)


class _Pinned:
    """An O_PATH descriptor of an entry that is not a symlink, closed on exit."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> int:
        return self.fd

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


def _open_path(parent: int, name: str, shown: str) -> int:
    fd = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=parent)
    if stat.S_ISLNK(os.fstat(fd).st_mode):
        os.close(fd)
        raise PathRefused(shown, "is a symlink")
    return fd


def _open_child_dir(parent: int, name: str, shown: str) -> int:
    try:
        return os.open(name, _DIR | os.O_NOFOLLOW, dir_fd=parent)
    except NotADirectoryError as err:
        # O_DIRECTORY reports a symlink as ENOTDIR: say which it was.
        try:
            link = stat.S_ISLNK(os.stat(name, dir_fd=parent, follow_symlinks=False).st_mode)
        except OSError:
            link = False
        raise _refusal(OSError(errno.ELOOP, "") if link else err, shown) from None
    except OSError as err:
        raise _refusal(err, shown) from None


def _mkdir_open(parent: int, name: str, mode: int, *, fix_mode: bool, shown: str) -> int:
    created = False
    try:
        os.mkdir(name, mode, dir_fd=parent)
        created = True
    except FileExistsError:
        pass
    fd = _open_child_dir(parent, name, shown)
    if created or fix_mode:
        os.fchmod(fd, mode)  # mkdir's mode went through the umask
    return fd


def _open_regular(parent: int, name: str, flags: int, mode: int, hardlinks: bool,
                  shown: str) -> int:
    for _ in range(8):  # the entry may come and go while we look at it
        try:
            pinned = _open_path(parent, name, shown)
        except FileNotFoundError:
            if not flags & os.O_CREAT:
                raise
            try:
                create = flags | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
                return os.open(name, create, mode, dir_fd=parent)
            except FileExistsError:
                if flags & os.O_EXCL:
                    raise
                continue
        try:
            if flags & os.O_CREAT and flags & os.O_EXCL:
                raise FileExistsError(errno.EEXIST, f"{shown}: file exists")
            info = os.fstat(pinned)
            if not stat.S_ISREG(info.st_mode):
                raise PathRefused(shown, "is not a regular file", errno.EINVAL)
            if info.st_nlink > 1 and not hardlinks:
                raise PathRefused(shown, "is a hard link to another file", errno.EMLINK)
            reopen = flags & ~(os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW)
            return os.open(f"/proc/self/fd/{pinned}", reopen | os.O_CLOEXEC)
        finally:
            os.close(pinned)
    raise PathRefused(shown, "keeps changing while it is opened", errno.EAGAIN)


def _remove_tree(parent: int, name: str) -> None:
    """Depth-first removal holding at most _FLATTEN_DEPTH directories open: a deeper
    directory is renamed into `parent` (a rename never follows links) and removed later."""
    pending = [name]
    moved = 0
    while pending:
        top = pending.pop()
        try:
            info = os.stat(top, dir_fd=parent, follow_symlinks=False)
        except FileNotFoundError:
            continue
        if not stat.S_ISDIR(info.st_mode):
            os.unlink(top, dir_fd=parent)
            continue
        fd = _open_child_dir(parent, top, top)
        stack = [(parent, top, fd, _clear_files(fd))]
        while stack:
            up, here, fd, subdirs = stack[-1]
            if not subdirs:
                stack.pop()
                os.close(fd)
                os.rmdir(here, dir_fd=up)
                continue
            child = subdirs.pop()
            if len(stack) >= _FLATTEN_DEPTH:
                moved += 1
                flat = f"{top}.removing-{moved}"
                os.rename(child, flat, src_dir_fd=fd, dst_dir_fd=parent)
                pending.append(flat)
                continue
            try:
                child_fd = _open_child_dir(fd, child, child)
            except FileNotFoundError:
                continue
            stack.append((fd, child, child_fd, _clear_files(child_fd)))


def _clear_files(fd: int) -> list[str]:
    """Remove every entry of directory `fd` that is not a directory; return the others."""
    subdirs = []
    for entry in os.listdir(fd):
        try:
            mode = os.stat(entry, dir_fd=fd, follow_symlinks=False).st_mode
            if stat.S_ISDIR(mode):
                subdirs.append(entry)
            else:
                os.unlink(entry, dir_fd=fd)
        except FileNotFoundError:
            pass
    return subdirs


def _refusal(err: OSError, shown: str) -> OSError:
    if err.errno in (errno.ELOOP, errno.EXDEV, errno.ENOTDIR):
        why = {errno.ELOOP: "a symlink is in the way", errno.EXDEV: "leaves the root",
               errno.ENOTDIR: "a file is in the way of a directory"}[err.errno]
        return PathRefused(shown, why, err.errno)
    err.filename = shown
    return err


# --- openat2 ---------------------------------------------------------------------------


def openat2(dir_fd: int, path: str, flags: int, mode: int = 0,
            resolve: int = _RESOLVE) -> int:
    """openat2(2) with `resolve` (default: beneath `dir_fd`, no symlinks, no magic links)."""
    import ctypes  # only here: the executor never needs it

    libc = _libc()
    how = (ctypes.c_uint64 * 3)(flags, mode, resolve)
    fd = libc.syscall(ctypes.c_long(_SYS_OPENAT2), ctypes.c_int(dir_fd),
                      ctypes.c_char_p(os.fsencode(path)), ctypes.byref(how),
                      ctypes.c_size_t(ctypes.sizeof(how)))
    if fd < 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), path)
    return int(fd)


_openat2_known: list[bool] = []  # the answer, once asked (functools would cost executors)


def openat2_available() -> bool:
    """Whether this kernel (and any seccomp filter in front of it) allows openat2."""
    if not _openat2_known:
        _openat2_known.append(_probe_openat2())
    return _openat2_known[0]


def _probe_openat2() -> bool:
    root = os.open("/", _DIR)
    try:
        os.close(openat2(root, ".", _DIR))
    except OSError:
        return False
    finally:
        os.close(root)
    return True


def _libc() -> ctypes.CDLL:
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    return libc
