"""Trees to copy and what they are made of: (kind, mode, content or link target) per path."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

Entry = tuple[str, int, str]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def big_file(path: Path, mib: int) -> Path:
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(os.urandom(1 << 20))
    os.chmod(path, 0o751)
    return path


def make_tree(root: Path) -> Path:
    """Files of several modes, a nested dir with its own mode, an empty dir, a relative
    symlink and a hard link."""
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "run.sh").write_text("#!/bin/sh\necho hi\n")
    (root / "secret.key").write_bytes(os.urandom(4096))
    (root / "sub" / "notes.txt").write_text("notes\n" * 1000)
    (root / "sub" / "deeper" / "data.bin").write_bytes(os.urandom(300_000))
    (root / "link").symlink_to("sub/notes.txt")
    os.link(root / "run.sh", root / "sub" / "run-again.sh")
    os.chmod(root / "run.sh", 0o755)
    os.chmod(root / "secret.key", 0o600)
    os.chmod(root / "sub" / "notes.txt", 0o644)
    os.chmod(root / "sub" / "deeper", 0o750)
    os.chmod(root / "empty", 0o700)
    return root


def manifest(root: Path) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            full = Path(dirpath) / name
            st = full.lstat()
            rel = str(full.relative_to(root))
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", 0, os.readlink(full))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", mode, "")
            else:
                out[rel] = ("file", mode, sha256(full))
    return out


def owners(root: Path) -> set[tuple[int, int]]:
    found = {(root.lstat().st_uid, root.lstat().st_gid)}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            st = (Path(dirpath) / name).lstat()
            found.add((st.st_uid, st.st_gid))
    return found
