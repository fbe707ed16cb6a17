"""Errors of a server in a cluster, importable without loading the etcd client."""

from __future__ import annotations

from caravan.errors import CaravanError


class NoLeader(CaravanError):
    """No leader is known, or etcd cannot be reached to confirm what this server holds."""

    status = 500
