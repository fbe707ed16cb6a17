"""The task table every executor-backed driver keeps (client/drivers/executor/tasks.py),
through raw_exec with real processes: lookup, the start guard, operations on an exited
task, recover of a known task, and destroy."""

from __future__ import annotations

import pytest

from caravan.client.drivers.base import TaskNotFound
from caravan.errors import DriverError
from tests.integration.client.conftest import Harness, run

pytestmark = pytest.mark.integration

_FOREVER = "while :; do sleep 0.05; done"


def test_unknown_tasks_are_not_found_and_already_destroyed(harness: Harness) -> None:
    driver = harness.driver()
    with pytest.raises(TaskNotFound, match="^task not found for given id: alloc-1/nope$"):
        driver.inspect("alloc-1/nope")
    with pytest.raises(TaskNotFound):
        run(driver.wait("alloc-1/nope"))
    run(driver.destroy("alloc-1/nope", force=False))  # nothing to do, no error


def test_a_task_starts_once(harness: Harness) -> None:
    driver = harness.driver()
    config = harness.config("t", _FOREVER)

    async def scenario() -> None:
        await driver.start(config)
        with pytest.raises(DriverError, match='^task with ID "alloc-1/t" already started$'):
            await driver.start(config)
        await driver.stop("alloc-1/t", 0, "SIGKILL")

    run(scenario())


def test_destroy_refuses_a_running_task_unless_forced(harness: Harness) -> None:
    driver = harness.driver()
    config = harness.config("t", _FOREVER)

    async def scenario() -> None:
        await driver.start(config)
        with pytest.raises(DriverError, match="^cannot destroy running task$"):
            await driver.destroy("alloc-1/t", force=False)
        assert driver.inspect("alloc-1/t").state == "running"
        await driver.destroy("alloc-1/t", force=True)
        with pytest.raises(TaskNotFound):
            driver.inspect("alloc-1/t")

    run(scenario())
    assert not config.state_dir.exists()


def test_an_exited_task_takes_no_signal_or_exec(harness: Harness) -> None:
    driver = harness.driver()

    async def scenario() -> None:
        await driver.start(harness.config("t", "exit 0"))
        await driver.wait("alloc-1/t")
        with pytest.raises(DriverError, match="^task is not running$"):
            await driver.exec_streaming("alloc-1/t", ["true"], False, _NoInput())
        await driver.destroy("alloc-1/t", force=False)

    run(scenario())


def test_recover_of_a_known_task_keeps_it(harness: Harness) -> None:
    driver = harness.driver()

    async def scenario() -> None:
        handle = await driver.start(harness.config("t", _FOREVER))
        await driver.recover(handle.model_copy(update={"driver_state": {}}))  # not decoded
        assert driver.inspect("alloc-1/t").state == "running"
        await driver.stop("alloc-1/t", 0, "SIGKILL")

    run(scenario())


class _NoInput:
    async def receive(self) -> None:
        return None

    async def send(self, stream: str, data: bytes) -> None:
        raise AssertionError("an exec into an exited task must not run")
