"""The state store interface, its backends and index watches."""

from caravan.server.state.backend import Backend
from caravan.server.state.snapshot import StateSnapshot
from caravan.server.state.sqlite import MemoryBackend, SqliteBackend
from caravan.server.state.store import StateStore
from caravan.server.state.txn import Txn

__all__ = ["Backend", "MemoryBackend", "SqliteBackend", "StateSnapshot", "StateStore", "Txn"]
