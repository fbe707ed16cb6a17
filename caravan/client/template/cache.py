"""What a task's templates read of the cluster, fetched once and then kept current with
blocking queries: the data each render pass sees."""

from __future__ import annotations

import asyncio
import logging

from caravan.client.rpc import ServerUnavailable
from caravan.client.template.deps import Dep, TemplateFailed, describe
from caravan.client.template.source import TemplateSource
from caravan.errors import CaravanError

log = logging.getLogger(__name__)
_RETRY_S = 1.0


class ClusterData:
    def __init__(self, source: TemplateSource, namespace: str, block_wait_s: float) -> None:
        self.source = source
        self.namespace = namespace
        self.block_wait_s = block_wait_s  # how long one watch query blocks
        self.data: dict[Dep, object] = {}
        self.indexes: dict[Dep, int] = {}

    async def fetch_now(self, dep: Dep) -> None:
        """The first answer for `dep`, retried while no server answers."""
        while not await self._fetch_once(dep, 0, 0.0):
            pass

    async def next_change(self, dep: Dep) -> None:
        """Until `dep` differs from what is kept (blocking queries)."""
        before = self.data.get(dep)
        while self.data.get(dep) == before:
            await self._fetch_once(dep, self.indexes.get(dep, 0), self.block_wait_s)

    async def until_changed(self, deps: set[Dep]) -> None:
        """Until one of `deps` changes."""
        waits = [asyncio.create_task(self.next_change(dep)) for dep in deps]
        try:
            done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for finished in done:
                finished.result()  # a refusal is the caller's to report
        finally:
            for wait in waits:
                wait.cancel()

    async def _fetch_once(self, dep: Dep, index: int, wait_s: float) -> bool:
        """One (blocking) query; False after a pause when no server answered. A refusal
        (ACLs, say) is TemplateFailed: the template cannot render."""
        try:
            value, new = await self.source.fetch(dep, self.namespace, index, wait_s)
        except ServerUnavailable as err:
            log.warning("template: fetching %s %s: %s", dep.kind, dep.key, err)
            await asyncio.sleep(_RETRY_S)
            return False
        except CaravanError as err:
            raise TemplateFailed(f"reading {describe(dep, self.namespace)}: {err}") from err
        # An index that went backwards (a server restored from a snapshot) starts over.
        self.indexes[dep] = new if new >= index else 0
        self.data[dep] = value
        return True
