"""Alloc and task runners with real raw_exec tasks and no server: lifecycle end to end."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from caravan.client.allocrunner.runner import AllocRunner, AllocRunnerDeps
from caravan.client.drivers.base import DriverContext
from caravan.client.drivers.raw_exec.driver import RawExecDriver
from caravan.client.state import ClientStateStore
from caravan.clock import SystemClock
from caravan.config.agent import ClientConfig
from caravan.structs import Allocation, Job, Node, RestartPolicy, Task, TaskGroup, canonicalize
from tests.integration.client.conftest import run

pytestmark = pytest.mark.integration

FAST_FAIL = RestartPolicy(attempts=1, interval=60_000_000_000, delay=50_000_000, mode="fail")


def shell(name: str, script: str) -> Task:
    return Task(name=name, driver="raw_exec", kill_timeout=1_000_000_000,
                config={"command": "/bin/sh", "args": ["-c", script]})


def make_alloc(tasks: list[Task], job_type: str = "service",
               restart: RestartPolicy | None = None) -> Allocation:
    job = canonicalize(Job(id="j", type=job_type, datacenters=["dc1"], task_groups=[
        TaskGroup(name="g", tasks=tasks, restart_policy=restart)]))
    return Allocation(id="a1b2c3d4-0000-0000-0000-000000000001", name="j.g[0]", job_id="j",
                      job=job, task_group="g")


def make_deps(root: Path) -> AllocRunnerDeps:
    driver = RawExecDriver({"enabled": True}, DriverContext(executor_python=sys.executable))
    return AllocRunnerDeps(
        drivers={"raw_exec": driver}, alloc_root=root / "alloc",
        executor_root=root / "client" / "executor", node=Node(id="n1", datacenter="dc1"),
        client=ClientConfig(enabled=True), clock=SystemClock(),
        host_env={"PATH": "/usr/bin:/bin"}, store=ClientStateStore(root / "client"))


async def until(predicate: Callable[[], bool], timeout_s: float = 20.0) -> None:
    async with asyncio.timeout(timeout_s):
        while not predicate():
            await asyncio.sleep(0.02)


def event_types(runner: AllocRunner, task: str) -> list[str]:
    return [e.type for e in runner.tasks[task].task_state.events]


def test_batch_task_completes(reaper: Path) -> None:
    alloc = make_alloc([shell("main", 'echo "$NOMAD_TASK_NAME in $NOMAD_ALLOC_DIR"')], "batch")
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)
    run(runner.run())
    update = runner.client_update()
    assert (update.client_status, update.client_description) == (
        "complete", "All tasks have completed")
    assert event_types(runner, "main") == ["Received", "Task Setup", "Started", "Terminated"]
    state = runner.tasks["main"].task_state
    assert (state.state, state.failed, state.restarts) == ("dead", False, 0)
    assert not state.finished_at.startswith("0001")
    log = runner.alloc_dir.log_dir / "main.stdout.0"
    assert log.read_text() == f"main in {runner.alloc_dir.shared_dir}\n"


def test_failing_service_task_restarts_then_fails(reaper: Path) -> None:
    alloc = make_alloc([shell("main", "exit 2")], restart=FAST_FAIL)
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)
    run(runner.run())
    assert runner.client_update().client_status == "failed"
    state = runner.tasks["main"].task_state
    assert (state.state, state.failed, state.restarts) == ("dead", True, 1)
    assert event_types(runner, "main") == [
        "Received", "Task Setup", "Started", "Terminated", "Restarting", "Started", "Terminated",
        "Not Restarting"]
    assert state.events[-1].display_message == (
        'Exceeded allowed attempts 1 in interval 1m0s and mode is "fail"')


def test_driver_failure_is_reported(reaper: Path) -> None:
    task = Task(name="main", driver="raw_exec", config={"command": "no-such-binary"})
    runner = AllocRunner(make_alloc([task]), make_deps(reaper), lambda _id: None)
    run(runner.run())
    state = runner.tasks["main"].task_state
    assert [(e.type, e.display_message) for e in state.events[-2:]] == [
        ("Driver Failure",
         'failed to launch command with executor: binary "no-such-binary" could not be found'),
        ("Not Restarting", "Error was unrecoverable")]
    assert runner.client_update().client_status == "failed"


def test_unknown_config_key_fails_validation(reaper: Path) -> None:
    task = Task(name="main", driver="raw_exec", config={"command": "/bin/true", "bogus": 1})
    runner = AllocRunner(make_alloc([task]), make_deps(reaper), lambda _id: None)
    run(runner.run())
    failure = runner.tasks["main"].task_state.events[-2]
    assert failure.type == "Failed Validation"
    assert failure.display_message.startswith("failed to parse config: ")


def test_server_stop_kills_tasks_and_completes(reaper: Path) -> None:
    alloc = make_alloc([shell("main", "while :; do sleep 0.05; done")])
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)

    async def scenario() -> None:
        running = asyncio.create_task(runner.run())
        await until(lambda: runner.client_update().client_status == "running")
        runner.update(alloc.model_copy(update={"desired_status": "stop"}))
        await running

    run(scenario())
    assert runner.client_update().client_status == "complete"
    assert event_types(runner, "main")[-3:] == ["Killing", "Terminated", "Killed"]
    assert runner.tasks["main"].task_state.events[-3].display_message == (
        "Sent interrupt. Waiting 1s before force killing")


def test_failed_task_kills_its_sibling(reaper: Path) -> None:
    alloc = make_alloc([shell("web", "while :; do sleep 0.05; done"),
                        shell("db", "sleep 0.3; exit 1")],
                       restart=RestartPolicy(attempts=0, interval=60_000_000_000,
                                             delay=0, mode="fail"))
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)
    run(runner.run())
    assert runner.client_update().client_status == "failed"
    web = runner.tasks["web"].task_state
    assert (web.state, web.failed) == ("dead", False)
    assert [e.type for e in web.events][-4:] == [
        "Sibling Task Failed", "Killing", "Terminated", "Killed"]
    assert web.events[-4].display_message == 'Task\'s sibling "db" failed'


def test_user_restart_and_signal(reaper: Path) -> None:
    script = "trap 'echo hup' HUP; echo up; while :; do sleep 0.05; done"
    alloc = make_alloc([shell("main", script)])
    runner = AllocRunner(alloc, make_deps(reaper), lambda _id: None)
    log = runner.alloc_dir.log_dir / "main.stdout.0"

    async def scenario() -> None:
        running = asyncio.create_task(runner.run())
        await until(lambda: runner.client_update().client_status == "running"
                    and log.exists() and log.read_bytes() == b"up\n")
        await runner.signal("main", "SIGHUP")
        await until(lambda: log.read_bytes() == b"up\nhup\n")
        await runner.restart("", "User requested running tasks to restart")
        await until(lambda: runner.tasks["main"].task_state.restarts == 1
                    and runner.tasks["main"].lifecycle.state == "running"
                    and log.read_bytes() == b"up\nhup\nup\n")
        await runner.stop()
        await running

    run(scenario())
    types = event_types(runner, "main")
    assert "Signaling" in types and "Restart Signaled" in types
    state = runner.tasks["main"].task_state
    assert state.restarts == 1
    assert any(e.display_message == "Task restarting in 0s" for e in state.events)


def test_restored_runner_reattaches_and_collects_the_exit(reaper: Path) -> None:
    """Agent restart: the first runner is cancelled, a new one resumes from stored state."""
    deps = make_deps(reaper)
    alloc = make_alloc([shell("main", "echo up; while [ ! -f go ]; do sleep 0.05; done; exit 6")],
                       "batch", restart=RestartPolicy(attempts=0, interval=1, delay=0, mode="fail"))
    first = AllocRunner(alloc, deps, lambda _id: None)

    async def before_restart() -> int:
        running = asyncio.create_task(first.run())
        await until(lambda: first.client_update().client_status == "running")
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)
        handle = first.tasks["main"].handle
        assert handle is not None
        return int(handle.driver_state["task_pid"])

    task_pid = run(before_restart())
    saved = deps.store.load_allocs()
    assert [s.alloc.id for s in saved] == [alloc.id]
    fresh = make_deps(reaper)  # a new driver instance, as after a restart
    second = AllocRunner(saved[0].alloc, fresh, lambda _id: None, saved[0])
    (second.alloc_dir.path / "main" / "go").touch()
    run(second.run())
    state = second.tasks["main"].task_state
    assert [e.type for e in state.events] == [
        "Received", "Task Setup", "Started", "Terminated", "Not Restarting"]
    assert state.events[3].exit_code == 6
    assert second.client_update().client_status == "failed"
    assert task_pid > 0


def test_stop_arriving_before_reattach_still_kills_the_task(reaper: Path) -> None:
    """A restarted agent learns that an allocation was stopped before it re-attached."""
    deps = make_deps(reaper)
    alloc = make_alloc([shell("main", "while :; do sleep 0.05; done")])
    first = AllocRunner(alloc, deps, lambda _id: None)

    async def before_restart() -> None:
        running = asyncio.create_task(first.run())
        await until(lambda: first.client_update().client_status == "running")
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)

    run(before_restart())
    saved = deps.store.load_allocs()[0]
    second = AllocRunner(saved.alloc, make_deps(reaper), lambda _id: None, saved)
    second.update(saved.alloc.model_copy(update={"desired_status": "stop"}))
    run(second.run())
    state = second.tasks["main"].task_state
    assert [e.type for e in state.events][-3:] == ["Killing", "Terminated", "Killed"]
    assert second.client_update().client_status == "complete"
