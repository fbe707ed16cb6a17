"""A task's templates as one set: render them all (fetching what they read), write what
changed, and watch what they read so that a change renders them again.

    first render: render -> fetch what was missing -> render ... until nothing is
                  missing; every file written (the task starts after this)
    watch:        one blocking query per dependency; a change wakes the set, which
                  waits for changes to settle (`wait { min max }`), renders every
                  template not marked `once`, writes those whose output changed and
                  hands them to `on_change` (the hook applies their change_mode)
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from caravan.client.rpc import ServerUnavailable
from caravan.client.template.envfile import EnvFileError, parse_env
from caravan.client.template.files import TemplatePathError
from caravan.client.template.deps import Dep
from caravan.client.template.render import TemplateRenderer
from caravan.client.template.source import TemplateSource
from caravan.errors import CaravanError
from caravan.gotemplate import TemplateError
from caravan.structs import Template

log = logging.getLogger(__name__)

_S = 1_000_000_000
_MAX_PASSES = 8  # a template whose reads depend on what it read settles in a few passes
_BLOCK_WAIT_S = 300.0  # Nomad's template block_query_wait default (5m)
_RETRY_S = 1.0
# Nomad's client default `template { wait { min = "5s" max = "4m" } }`; a template's
# own `wait` block overrides it field by field.
DEFAULT_WAIT = (5 * _S, 240 * _S)


class TemplateFailed(CaravanError):
    """A template that cannot render or be written: fails the task (Nomad's
    `Template failed: ...`)."""


@dataclass(frozen=True)
class Settle:
    min_s: float
    max_s: float


class TemplateSet:
    def __init__(self, renderers: list[TemplateRenderer], source: TemplateSource,
                 namespace: str,
                 on_missing: Callable[[list[str]], None] = lambda _missing: None) -> None:
        self.renderers = renderers
        self.on_missing = on_missing  # told what the first render waits for
        self.source = source
        self.namespace = namespace
        self.data: dict[Dep, object] = {}
        self.indexes: dict[Dep, int] = {}
        self.outputs: dict[int, bytes] = {}
        self.asked: set[Dep] = set()
        self._changed = asyncio.Event()
        self._failure: TemplateFailed | None = None

    # --- rendering ------------------------------------------------------------

    async def render(self, *, first: bool) -> list[Template]:
        """Render (all on the first pass, else those not `once`), write what changed;
        returns the templates whose output changed. The first render waits for what a
        template waits on (a variable not yet written); later ones skip such a template
        and keep its file. Raises TemplateFailed."""
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

    async def _outputs(self, chosen: list[int], *, wait: bool
                       ) -> tuple[dict[int, bytes], dict[int, set[Dep]]]:
        """Render `chosen` until nothing is missing (and, with `wait`, nothing blocks)."""
        passes = 0
        while True:
            outputs, missing, blocked = self._render_pass(chosen)
            if missing:
                passes += 1
                if passes > _MAX_PASSES:
                    raise TemplateFailed("template dependencies did not settle after "
                                         f"{_MAX_PASSES} passes")
                await asyncio.gather(*(self._fetch_now(dep) for dep in sorted(missing)))
                continue
            waiting: set[Dep] = set().union(*blocked.values())
            if not (wait and waiting):
                return outputs, blocked
            self.on_missing(sorted(_describe(dep, self.namespace) for dep in waiting))
            await self._until_changed(waiting)

    def _render_pass(self, chosen: list[int]
                     ) -> tuple[dict[int, bytes], set[Dep], dict[int, set[Dep]]]:
        outputs: dict[int, bytes] = {}
        missing: set[Dep] = set()
        blocked: dict[int, set[Dep]] = {}
        for i in chosen:
            renderer = self.renderers[i]
            try:
                content, reads = renderer.render(self.data)
            except (TemplateError, TemplatePathError) as err:
                raise TemplateFailed(str(err)) from err
            outputs[i] = content
            missing |= reads.missing
            if reads.blocked:
                blocked[i] = reads.blocked
            self.asked |= reads.asked
        return outputs, missing, blocked

    async def _until_changed(self, deps: set[Dep]) -> None:
        """Until one of `deps` changes (blocking queries, before the watcher runs)."""
        waits = [asyncio.create_task(self._next_change(dep)) for dep in deps]
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _next_change(self, dep: Dep) -> None:
        before = self.data.get(dep)
        while self.data.get(dep) == before:
            await self._fetch_once(dep, self.indexes.get(dep, 0), _BLOCK_WAIT_S)

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

    # --- fetching and watching ------------------------------------------------------

    async def _fetch_now(self, dep: Dep) -> None:
        """The first answer for `dep`, retried while no server answers."""
        while not await self._fetch_once(dep, 0, 0.0):
            pass

    async def _fetch_once(self, dep: Dep, index: int, wait_s: float) -> bool:
        """One (blocking) query; False after a pause when no server answered."""
        try:
            value, new = await self.source.fetch(dep, self.namespace, index, wait_s)
        except ServerUnavailable as err:
            log.warning("template: fetching %s %s: %s", dep.kind, dep.key, err)
            await asyncio.sleep(_RETRY_S)
            return False
        except CaravanError as err:  # refused (ACLs, say): the template cannot render
            raise TemplateFailed(f"reading {_describe(dep, self.namespace)}: {err}") from err
        # An index that went backwards (a server restored from a snapshot) starts over.
        self.indexes[dep] = new if new >= index else 0
        self.data[dep] = value
        return True

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
                await self._next_change(dep)
                self._changed.set()
        except TemplateFailed as err:  # handed to the watch loop, never dropped
            self._failure = err
            self._changed.set()

    async def _settle(self) -> None:
        """consul-template's quiescence: render once no change came for `min`, or `max`
        after the first change, whichever is first."""
        bounds = self._bounds()
        started = time.monotonic()
        while True:
            self._changed.clear()
            left = bounds.max_s - (time.monotonic() - started)
            if left <= 0:
                return
            try:
                await asyncio.wait_for(self._changed.wait(), min(bounds.min_s, left))
            except TimeoutError:
                return
            if bounds.min_s <= 0:
                self._changed.clear()
                return

    def _bounds(self) -> Settle:
        """The widest wait of the templates that re-render (one timer for the set)."""
        mins, maxes = [], []
        for renderer in self.renderers:
            wait = renderer.template.wait
            mins.append(DEFAULT_WAIT[0] if wait is None or wait.min is None else wait.min)
            maxes.append(DEFAULT_WAIT[1] if wait is None or wait.max is None else wait.max)
        return Settle(max(mins, default=0) / _S, max(maxes, default=0) / _S)


def _describe(dep: Dep, namespace: str) -> str:
    """consul-template's name for a dependency, as Nomad's `Missing:` event shows it."""
    where = f"{dep.namespace or namespace}.global"
    kind = {"var": "nomad.var.block", "var_list": "nomad.var.list", "service": "nomad.service",
            "services": "nomad.services"}.get(dep.kind, dep.kind)
    return f"{kind}({dep.key}@{where})"
