"""Task-runner hook stages with real raw_exec tasks: built once, run in Nomad's order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.client.allocrunner.runner import AllocRunner
from caravan.client.taskrunner.hooks import (
    ExitedHook,
    PoststartHook,
    PrestartHook,
    PrestartRequest,
    PrestartResponse,
    StopHook,
    TaskRequest,
    UpdateHook,
)
from tests.integration.client.conftest import run
from tests.integration.client.test_alloc_runner import (
    FAST_FAIL,
    make_alloc,
    make_deps,
    shell,
    until,
)

pytestmark = pytest.mark.integration


class Recorder(PrestartHook, PoststartHook, UpdateHook, ExitedHook, StopHook):
    """Every stage, recorded on one object: what a hook keeps from prestart to stop."""

    name = "recorder"

    def __init__(self) -> None:
        self.stages: list[str] = []

    async def prestart(self, request: PrestartRequest) -> PrestartResponse:
        self.stages.append("prestart")
        return PrestartResponse()  # not done: runs again on each start

    async def poststart(self, request: TaskRequest) -> None:
        self.stages.append("poststart")

    async def update(self, request: TaskRequest) -> None:
        self.stages.append(f"update:{request.alloc.desired_status}")

    async def exited(self, request: TaskRequest) -> None:
        self.stages.append("exited")

    async def stop(self, request: TaskRequest) -> None:
        self.stages.append("stop")


def test_stages_run_in_order_on_the_same_hooks_across_a_restart(reaper: Path) -> None:
    runner = AllocRunner(make_alloc([shell("main", "exit 2")], restart=FAST_FAIL),
                         make_deps(reaper), lambda _id: None)
    recorder = Recorder()
    task = runner.tasks["main"]
    task.stages.hooks.append(recorder)
    built = list(task.stages.hooks)
    run(runner.run())
    assert recorder.stages == ["prestart", "poststart", "exited",
                               "prestart", "poststart", "exited", "stop"]
    assert task.stages.hooks == built  # never rebuilt: the same objects from prestart to stop
    assert [h.name for h in built] == ["validate", "task_dir", "artifacts", "dispatch_payload",
                                      "template", "recorder"]


def test_an_update_reaches_the_update_hooks(reaper: Path) -> None:
    alloc = make_alloc([shell("main", "sleep 30")])
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)
    recorder = Recorder()
    runner.tasks["main"].stages.hooks.append(recorder)

    async def scenario() -> None:
        life = asyncio.create_task(runner.run())
        await until(lambda: "poststart" in recorder.stages)
        runner.update(alloc.model_copy(update={"desired_status": "stop"}))
        await asyncio.wait_for(life, 20)

    run(scenario())
    assert recorder.stages[:2] == ["prestart", "poststart"]
    assert "update:stop" in recorder.stages
    assert recorder.stages[-2:] == ["exited", "stop"]
