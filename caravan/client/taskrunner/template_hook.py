"""Prestart: render the task's templates before it starts (blocking until every one
rendered, as Nomad does), feed `env = true` templates into its environment, then watch
what they read and apply each re-rendered template's `change_mode`:

    restart  restart the task (after a random splay); env templates take effect then
    signal   send change_signal to the task (each distinct signal once)
    script   run change_script in the task (driver exec), `timeout`; with
             `fail_on_error` a failure kills the task
    noop     nothing

The watcher lives from the first prestart to the stop hook. A later prestart (a
restart) renders again only with the restart policy's `render_templates`, as in Nomad.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from typing import Protocol

from caravan.client.drivers.base import Capabilities, Driver, TaskConfig, TaskHandle
from caravan.client.taskenv import interpolate
from caravan.client.taskrunner import events
from caravan.client.taskrunner.hooks import (
    EventSink,
    HookError,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
    RestoreHook,
    StopHook,
    TaskRequest,
)
from caravan.client.taskrunner.lifecycle import TaskNotRunning
from caravan.client.template.deps import Dep
from caravan.client.template.files import AllocFiles, TemplatePathError
from caravan.client.template.manager import TemplateFailed, TemplateSet
from caravan.client.template.render import TemplateRenderer
from caravan.client.template.script import run_script
from caravan.client.template.source import TemplateSource
from caravan.clock import Clock
from caravan.config.template import TemplateConfig
from caravan.errors import CaravanError
from caravan.gotemplate import TemplateError
from caravan.structs import ChangeScript, Task, TaskEvent, Template

log = logging.getLogger(__name__)
TEMPLATE_EVENT = "Template"
HOOK_MESSAGE = "Task hook message"
_S = 1_000_000_000
_KILL_POLL_S = 0.5
_MISSING_SHOWN = 3  # Nomad's missingDepEventLimit


class TaskControl(Protocol):
    """What the hook may do to its task (the task runner)."""

    @property
    def handle(self) -> TaskHandle | None: ...
    @property
    def killing(self) -> bool: ...
    @property
    def last_config(self) -> TaskConfig | None: ...
    async def restart(self, reason: str, failure: bool = False) -> None: ...
    async def signal(self, signal: str) -> None: ...
    async def kill(self, reason: TaskEvent | None = None) -> None: ...


class TemplateHook(PrestartHook, RestoreHook, StopHook):
    name = "template"

    def __init__(self, files: AllocFiles, source: TemplateSource | None, driver: Driver | None,
                 control: TaskControl, emit: EventSink, clock: Clock,
                 client_env: Callable[[], Mapping[str, str]],
                 node_attributes: Mapping[str, str],
                 config: TemplateConfig | None = None) -> None:
        self.files = files
        self.config = config or TemplateConfig()  # the client's `template { }` block
        self.source = source
        self.driver = driver
        self.control = control
        self.emit = emit
        self.clock = clock
        self.client_env = client_env  # host paths for ${NOMAD_*_DIR} in source/destination
        self.node_attributes = node_attributes
        self.set: TemplateSet | None = None
        self._watcher: asyncio.Task[None] | None = None

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        templates = request.task.templates or []
        if not templates:
            return PrestartResponse(done=True)
        try:
            if self.set is None:
                built = await asyncio.to_thread(self._build, request, templates)
                await self._first_render(built)
                self.set = built
                self._watcher = asyncio.create_task(self._watch(built),
                                                    name=f"templates {request.task.name}")
            elif _render_on_restart(request.task):
                await self._first_render(self.set)
            else:
                await self.set.rewrite()
            return PrestartResponse(env=self.set.env())
        except (TemplateFailed, TemplateError, TemplatePathError, OSError) as err:
            message = f"Template failed: {err}"
            raise HookError(message, event=events.event(
                events.KILLING, self.clock.now_ns(), message, fails_task=True)) from err

    async def _first_render(self, templates: TemplateSet) -> None:
        """Render, blocking until done, unless the task is killed meanwhile."""
        render = asyncio.create_task(templates.render(first=True))
        try:
            while not render.done():
                await asyncio.wait([render], timeout=_KILL_POLL_S)
                if not render.done() and self.control.killing:
                    raise TemplateFailed("the task was killed before its templates rendered")
            render.result()
        finally:  # killed, or the agent shutting down: the render goes with us
            if not render.done():
                render.cancel()
                await asyncio.gather(render, return_exceptions=True)

    def _missing(self, missing: list[str]) -> None:
        """Nomad's `Missing: ...` event while the first render waits."""
        shown = missing[:_MISSING_SHOWN] + ([f"and {len(missing) - _MISSING_SHOWN} more"]
                                            if len(missing) > _MISSING_SHOWN else [])
        self.emit(events.event(TEMPLATE_EVENT, self.clock.now_ns(),
                               f"Missing: {', '.join(shown)}"))

    def _build(self, request: PrestartRequest, templates: list[Template]) -> TemplateSet:
        """Parse every template (reading `source` files beneath the alloc dir)."""
        host_env = {**self.node_attributes, **self.client_env()}
        renderers = []
        for template in templates:
            dest = self.files.relative(interpolate(template.dest_path, host_env,
                                                   self.node_attributes), "destination")
            if template.source_path:
                source = self.files.relative(interpolate(template.source_path, host_env,
                                                         self.node_attributes), "source")
                text = self.files.read_source(source)
            else:
                text = template.embedded_tmpl
            # `env` reads the task's environment and, as in Nomad, the node's
            # `node.*`, `attr.*` and `meta.*` names.
            env = {**self.node_attributes, **request.env}
            renderers.append(TemplateRenderer(template, self.files, dest, text, env,
                                              self.config.function_denylist))
        return TemplateSet(renderers, self.source or _NoCluster(),
                           request.alloc.namespace or "default", self._missing, self.config)

    async def restored(self, request: TaskRequest) -> None:
        """After an agent restart: render again from fresh data (a change missed while
        no agent ran is applied now, change_mode and all), then watch as before."""
        templates = request.task.templates or []
        if not templates or self.set is not None:
            return
        config = self.control.last_config
        env = dict(config.env) if config is not None else {}
        prestart = PrestartRequest(alloc=request.alloc, task=request.task,
                                   task_dir=request.task_dir, capabilities=Capabilities(),
                                   env=env)
        try:
            built = await asyncio.to_thread(self._build, prestart, templates)
            changed = await built.restore()
        except (TemplateFailed, TemplateError, TemplatePathError, OSError) as err:
            await self._failed(TemplateFailed(str(err)))
            return
        self.set = built
        self._watcher = asyncio.create_task(self._watch(built, changed),
                                            name=f"templates {request.task.name}")

    async def stop(self, request: TaskRequest) -> None:
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            watcher.cancel()
            await asyncio.gather(watcher, return_exceptions=True)

    # --- after the first render ------------------------------------------------------

    async def _watch(self, templates: TemplateSet, changed: list[Template] | None = None
                     ) -> None:
        """`changed`: what a restore rewrote, its change_mode applied first."""
        try:
            if changed:
                await self._changed(changed)
            await templates.watch(self._changed, self._failed)
        except CaravanError as err:  # nothing may die silently in the background
            await self._failed(TemplateFailed(str(err)))

    async def _failed(self, err: TemplateFailed) -> None:
        log.error("task template failed: %s", err)
        await self.control.kill(events.event(events.KILLING, self.clock.now_ns(),
                                             f"Template failed: {err}", fails_task=True))

    async def _changed(self, changed: list[Template]) -> None:
        restart = any(t.change_mode == "restart" for t in changed)
        signals = sorted({t.change_signal for t in changed if t.change_mode == "signal"})
        scripts = [t.change_script for t in changed
                   if t.change_mode == "script" and t.change_script is not None]
        if not (restart or signals or scripts):
            return
        splay = max((t.splay or 0) for t in changed)
        if splay > 0:
            await asyncio.sleep(random.uniform(0, splay / _S))
        if restart:
            try:
                await self.control.restart("Template with change_mode restart re-rendered")
            except TaskNotRunning:
                pass  # it starts again with the new content anyway
            return
        await self._signal(signals)
        await asyncio.gather(*(self._script(s) for s in scripts))

    async def _signal(self, signals: list[str]) -> None:
        for signal in signals:
            try:
                await self.control.signal(signal)
            except TaskNotRunning:
                self._message(f"Template skipped signal {signal}: task is not running")
            except CaravanError as err:
                await self.control.kill(events.event(
                    events.KILLING, self.clock.now_ns(),
                    f"Template failed to send signals [{signal}]: {err}", fails_task=True))

    async def _script(self, script: ChangeScript) -> None:
        handle = self.control.handle
        args = script.args or []
        failure: str | None
        if self.driver is None or handle is None:
            failure = (f"Template failed to run script {script.command} with arguments {args}"
                       " on change: the task is not running")
        else:
            failure = await run_script(self.driver, handle.config.id, script)
        if failure is None:
            self._message(f"Template successfully ran script {script.command} with "
                          f"arguments: {args}. Exit code: 0")
            return
        self.emit(events.event(events.HOOK_FAILED, self.clock.now_ns(), failure))
        if script.fail_on_error:
            await self.control.kill(events.event(
                events.KILLING, self.clock.now_ns(),
                "Template script failed, task is being killed", fails_task=True))

    def _message(self, text: str) -> None:
        self.emit(events.event(HOOK_MESSAGE, self.clock.now_ns(), text))


def _render_on_restart(task: Task) -> bool:
    return bool(task.restart_policy and task.restart_policy.render_templates)


class _NoCluster:
    """For a client without servers (tests of the hook alone): no service is known."""

    async def fetch(self, dep: Dep, namespace: str, index: int, wait_s: float,
                    token: str | None = None) -> tuple[object, int]:
        if index:
            await asyncio.sleep(wait_s)
        return (None if dep.kind == "var" else []), 1
