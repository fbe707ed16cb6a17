"""`client.system`: cluster-wide maintenance (`/v1/system/gc`)."""

from __future__ import annotations

from caravan.api._base import SubAPI


class System(SubAPI):
    def garbage_collect(self) -> None:
        """Collect every terminal job, evaluation, allocation and deployment now
        (a management token is required)."""
        self._client.write("PUT", "/v1/system/gc")
