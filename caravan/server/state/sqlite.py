"""The default backend: one SQLite file in the agent's data dir, WAL mode."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from caravan.errors import StorageFull, WriteFailed
from caravan.server.state.backend import Change, Loaded

_SCHEMA = """
CREATE TABLE IF NOT EXISTS rows (
    tbl TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
    PRIMARY KEY (tbl, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class SqliteBackend:
    """Not thread-safe by design: the store calls it from the event loop thread only."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._path = path
        self._db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives process crashes; only an OS crash may drop the last commit.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def load(self) -> Loaded:
        rows: dict[str, dict[str, str]] = {}
        for tbl, key, value in self._db.execute("SELECT tbl, key, value FROM rows"):
            rows.setdefault(tbl, {})[key] = value
        found = self._db.execute("SELECT value FROM meta WHERE name = 'index'").fetchone()
        return Loaded(index=int(found[0]) if found else 0, rows=rows)

    def commit(self, change: Change) -> None:
        """One transaction; raises `StorageFull`/`WriteFailed` with nothing written."""
        try:
            self._write(change)
        except sqlite3.Error as e:
            raise _write_error(e, self._path) from e

    def _write(self, change: Change) -> None:
        puts = [(t, k, v) for (t, k), v in change.rows.items() if v is not None]
        deletes = [(t, k) for (t, k), v in change.rows.items() if v is None]
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            if puts:
                db.executemany("INSERT OR REPLACE INTO rows (tbl, key, value) VALUES (?, ?, ?)",
                               puts)
            if deletes:
                db.executemany("DELETE FROM rows WHERE tbl = ? AND key = ?", deletes)
            db.execute("INSERT OR REPLACE INTO meta (name, value) VALUES ('index', ?)",
                       (change.index,))
            db.execute("COMMIT")
        except BaseException:
            # SQLite may already have rolled back by itself (it does on a full disk);
            # a second ROLLBACK would raise and hide the real cause.
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def close(self) -> None:
        self._db.close()


def _write_error(e: sqlite3.Error, path: Path) -> WriteFailed:
    cause = str(e)
    if getattr(e, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return StorageFull(cause, where=str(path.parent))
    return WriteFailed(f"{cause} ({path})")


class MemoryBackend:
    """Keeps nothing: for tests and benchmarks that need a store without a file."""

    def load(self) -> Loaded:
        return Loaded(index=0, rows={})

    def commit(self, change: Change) -> None:
        return None

    def close(self) -> None:
        return None
