"""Where one server keeps its root keys: files in its data dir, or memory (tests).

    DirKeyStore      <data_dir>/server/keyring/root/<key-id>.json, 0600 in a 0700 dir,
                     each written whole, fsynced and renamed into place
    MemoryKeyStore   nothing on disk: the keys die with the process

Servers sharing state in etcd keep theirs in etcd instead
(caravan/server/cluster/shared_keys.py), so every server holds the same keys.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from caravan.errors import CaravanError
from caravan.server.keyring import RootKey, decode_key, encode_key


class MemoryKeyStore:
    def __init__(self) -> None:
        self._keys: dict[str, RootKey] = {}

    def load(self) -> list[RootKey]:
        return list(self._keys.values())

    def save(self, keys: list[RootKey]) -> None:
        self._keys.update((k.key_id, k) for k in keys)

    def create_first(self, key: RootKey) -> list[RootKey]:
        self.save([key])
        return self.load()

    def follow(self, learn: Callable[[RootKey], None]) -> None:
        """Nobody else writes here."""

    def close(self) -> None:
        pass


class DirKeyStore:
    def __init__(self, directory: Path) -> None:
        self._dir = directory

    def load(self) -> list[RootKey]:
        root = self._dir / "root"
        if not root.is_dir():
            return []
        return [_read(path) for path in sorted(root.glob("*.json"))]

    def save(self, keys: list[RootKey]) -> None:
        for key in keys:  # in order: the new active key lands before the old is retired
            _write(self._dir, key)

    def create_first(self, key: RootKey) -> list[RootKey]:
        self.save([key])
        return self.load()

    def follow(self, learn: Callable[[RootKey], None]) -> None:
        """Only this server writes its data dir."""

    def close(self) -> None:
        pass


def _read(path: Path) -> RootKey:
    try:
        body = path.read_bytes()
    except OSError as err:
        raise CaravanError(f"keyring file {path} is unreadable: {err}",
                           hint="restore it from a backup of the data dir") from err
    return decode_key(body, str(path))


def _write(directory: Path, key: RootKey) -> None:
    root = directory / "root"
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    final = root / f"{key.key_id}.json"
    temp = root / f".{key.key_id}.{os.getpid()}.tmp"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, encode_key(key))
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, final)
    dir_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
