"""A task's templates as one set: render them all, write what changed, and render again
when what they read changes.

    first render: render -> fetch what was missing -> render ... until nothing is
                  missing and nothing waits (a variable not yet written); every file
                  written (the task starts after this)
    watch:        one blocking query per dependency (cache.py); a change wakes the set,
                  which waits for changes to settle (`wait { min max }`), renders every
                  template not marked `once`, writes those whose output changed and
                  hands them to `on_change` (the hook applies their change_mode)
    restore:      after an agent restart, render and rewrite what no longer matches
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from caravan.client.template.cache import ClusterData
from caravan.client.template.deps import Dep, TemplateFailed, describe
from caravan.client.template.envfile import EnvFileError, parse_env
from caravan.client.template.files import TemplatePathError
from caravan.client.template.render import TemplateRenderer
from caravan.client.template.source import TemplateSource
from caravan.config.template import TemplateConfig
from caravan.gotemplate import TemplateError
from caravan.structs import Template

_MAX_PASSES = 8  # a template whose reads depend on what it read settles in a few passes

__all__ = ["TemplateFailed", "TemplateSet"]


class TemplateSet:
    def __init__(self, renderers: list[TemplateRenderer], source: TemplateSource,
                 namespace: str,
                 on_missing: Callable[[list[str]], None] = lambda _missing: None,
                 config: TemplateConfig | None = None) -> None:
        self.renderers = renderers
        self.config = config or TemplateConfig()
        self.cluster = ClusterData(source, namespace, self.config.block_query_wait)
        self.on_missing = on_missing  # told what the first render waits for
        self.outputs: dict[int, bytes] = {}
        self.asked: set[Dep] = set()
        self._changed = asyncio.Event()
        self._failure: TemplateFailed | None = None

    # --- rendering ------------------------------------------------------------

    async def render(self, *, first: bool) -> list[Template]:
        """Render (all on the first pass, else those not `once`), write what changed;
        returns the templates whose output changed. Later passes skip a template that
        waits (a variable deleted meanwhile) and keep its file. Raises TemplateFailed."""
        chosen = [i for i, r in enumerate(self.renderers) if first or not r.template.once]
        outputs, blocked = await self._outputs(chosen, wait=first)
        changed = []
        for i, content in outputs.items():
            renderer = self.renderers[i]
            if i in blocked or (self.outputs.get(i) == content and not first):
                continue
            self.outputs[i] = content
            if first or renderer.files.read_current(renderer.dest_rel) != content:
                await self._write(renderer, content)
                changed.append(renderer.template)
        return changed

    async def restore(self) -> list[Template]:
        """After an agent restart, for a task that kept running: render every template,
        rewrite (and return) those whose file no longer matches; `once` templates keep
        their file. Nothing waits: a template waiting for data keeps its file."""
        outputs, blocked = await self._outputs(list(range(len(self.renderers))), wait=False)
        changed = []
        for i, content in outputs.items():
            renderer = self.renderers[i]
            if i in blocked:
                continue
            current = renderer.files.read_current(renderer.dest_rel)
            if renderer.template.once and current is not None:
                self.outputs[i] = current
                continue
            self.outputs[i] = content
            if current != content:
                await self._write(renderer, content)
                changed.append(renderer.template)
        return changed

    async def rewrite(self) -> None:
        """Before a restart: put back what was last rendered where the file differs. (An
        exec task's `secrets/` is a tmpfs for each run, filled from what lies below it;
        a re-render during the last run went into that tmpfs only.)"""
        for i, content in self.outputs.items():
            renderer = self.renderers[i]
            if renderer.files.read_current(renderer.dest_rel) != content:
                await self._write(renderer, content)

    async def _outputs(self, chosen: list[int], *, wait: bool
                       ) -> tuple[dict[int, bytes], dict[int, set[Dep]]]:
        """Render `chosen` until nothing is missing (and, with `wait`, nothing waits)."""
        passes = 0
        while True:
            outputs, missing, blocked = self._render_pass(chosen)
            if missing:
                passes += 1
                if passes > _MAX_PASSES:
                    raise TemplateFailed("template dependencies did not settle after "
                                         f"{_MAX_PASSES} passes")
                await asyncio.gather(*(self.cluster.fetch_now(dep) for dep in sorted(missing)))
                continue
            waiting: set[Dep] = set().union(*blocked.values())
            if not (wait and waiting):
                return outputs, blocked
            self.on_missing(sorted(describe(dep, self.cluster.namespace) for dep in waiting))
            await self.cluster.until_changed(waiting)

    def _render_pass(self, chosen: list[int]
                     ) -> tuple[dict[int, bytes], set[Dep], dict[int, set[Dep]]]:
        outputs: dict[int, bytes] = {}
        missing: set[Dep] = set()
        blocked: dict[int, set[Dep]] = {}
        for i in chosen:
            try:
                content, reads = self.renderers[i].render(self.cluster.data)
            except (TemplateError, TemplatePathError) as err:
                raise TemplateFailed(str(err)) from err
            outputs[i] = content
            missing |= reads.missing
            if reads.blocked:
                blocked[i] = reads.blocked
            self.asked |= reads.asked
        return outputs, missing, blocked

    async def _write(self, renderer: TemplateRenderer, content: bytes) -> None:
        uid, gid = renderer.owner
        try:
            await asyncio.to_thread(renderer.files.write, renderer.dest_rel, content,
                                    renderer.perms, uid, gid)
        except OSError as err:
            raise TemplateFailed(f"failed writing {renderer.template.dest_path}: {err}") from err

    def env(self) -> dict[str, str]:
        """The variables of every `env = true` template, later templates winning."""
        out: dict[str, str] = {}
        for i, renderer in enumerate(self.renderers):
            if renderer.template.envvars and i in self.outputs:
                try:
                    out.update(parse_env(self.outputs[i].decode("utf-8", "replace")))
                except EnvFileError as err:
                    raise TemplateFailed(f"error parsing env template "
                                         f"{renderer.template.dest_path!r}: {err}") from err
        return out

    # --- watching -------------------------------------------------------------------

    async def watch(self, on_change: Callable[[list[Template]], Awaitable[None]],
                    on_error: Callable[[TemplateFailed], Awaitable[None]]) -> None:
        """Until cancelled (the hook's stop): re-render on every change of what was read."""
        watchers: dict[Dep, asyncio.Task[None]] = {}
        try:
            while True:
                for dep in self.asked - watchers.keys():
                    watchers[dep] = asyncio.create_task(self._watch_dep(dep))
                await self._changed.wait()
                await self._settle()
                try:
                    if self._failure is not None:
                        raise self._failure
                    changed = await self.render(first=False)
                except TemplateFailed as err:
                    await on_error(err)
                    return
                if changed:
                    await on_change(changed)
        finally:
            for task in watchers.values():
                task.cancel()

    async def _watch_dep(self, dep: Dep) -> None:
        try:
            while True:
                await self.cluster.next_change(dep)
                self._changed.set()
        except TemplateFailed as err:  # handed to the watch loop, never dropped
            self._failure = err
            self._changed.set()

    async def _settle(self) -> None:
        """consul-template's quiescence: render once no change came for `min`, or `max`
        after the first change, whichever is first."""
        low, high = self._bounds()
        started = time.monotonic()
        while True:
            self._changed.clear()
            left = high - (time.monotonic() - started)
            if left <= 0 or low <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), min(low, left))
            except TimeoutError:
                return

    def _bounds(self) -> tuple[float, float]:
        """The widest wait of the templates that re-render (one timer for the set)."""
        waits = [self.config.wait_for(r.template.wait.min if r.template.wait else None,
                                      r.template.wait.max if r.template.wait else None)
                 for r in self.renderers if not r.template.once]
        return max((w[0] for w in waits), default=0.0), max((w[1] for w in waits), default=0.0)
