"""stream_logs over files a real executor rotated: origin, offset, follow."""

from __future__ import annotations

import asyncio

import pytest

from caravan.client.logs import LogFrame, stream_logs
from caravan.errors import NotFound
from tests.integration.client.conftest import Harness, run

pytestmark = pytest.mark.integration

# 30 lines of 8 bytes, in files of 50 bytes: 5 files (0..4), nothing rotated away.
SCRIPT = 'i=10; while [ $i -lt 40 ]; do echo "line-$i"; i=$((i+1)); done'
ALL = b"".join(f"line-{i}\n".encode() for i in range(10, 40))


def _produce(harness: Harness) -> None:
    driver = harness.driver()

    async def scenario() -> None:
        await driver.start(harness.config("web", SCRIPT, log_max_file_size=50))
        assert (await driver.wait("alloc-1/web")).exit_code == 0

    run(scenario())


async def _collect(harness: Harness, origin: str, offset: int) -> list[LogFrame]:
    return [f async for f in stream_logs(harness.alloc_dir, "web", "stdout", origin, offset,
                                         follow=False)]


def test_read_from_the_start_across_files(harness: Harness) -> None:
    _produce(harness)
    frames = run(_collect(harness, "start", 0))
    assert b"".join(f.data for f in frames) == ALL
    assert [f.file for f in frames] == [f"alloc/logs/web.stdout.{i}" for i in range(5)]
    assert [f.offset for f in frames] == [50, 50, 50, 50, 40]


@pytest.mark.parametrize(("origin", "offset", "expected"), [
    ("start", 20, ALL[20:]),
    ("start", 120, ALL[120:]),
    ("end", 10, ALL[-10:]),
    ("end", 65, ALL[-65:]),
    ("end", 10_000, ALL),
])
def test_origin_and_offset(harness: Harness, origin: str, offset: int, expected: bytes) -> None:
    _produce(harness)
    assert b"".join(f.data for f in run(_collect(harness, origin, offset))) == expected


def test_unknown_log_is_not_found(harness: Harness) -> None:
    with pytest.raises(NotFound, match='log entry for task "web" and log type "stderr"'):
        run(_collect_stderr(harness))


async def _collect_stderr(harness: Harness) -> list[LogFrame]:
    return [f async for f in stream_logs(harness.alloc_dir, "web", "stderr", "start", 0, False)]


def test_follow_sees_new_data_and_new_files(harness: Harness) -> None:
    driver = harness.driver()
    script = ('echo first; while [ ! -f go ]; do sleep 0.05; done; '
              'i=0; while [ $i -lt 20 ]; do echo "more-$i"; i=$((i+1)); done; echo last; '
              'while :; do sleep 0.05; done')
    config = harness.config("web", script, log_max_file_size=40)

    async def scenario() -> bytes:
        await driver.start(config)
        seen = b""
        async with asyncio.timeout(20):
            async for frame in stream_logs(harness.alloc_dir, "web", "stdout", "start", 0,
                                           follow=True):
                seen += frame.data
                if seen == b"first\n":
                    (config.task_dir / "go").touch()
                if b"last\n" in seen:
                    break
        await driver.stop("alloc-1/web", 0, "SIGKILL")
        return seen

    expected = b"first\n" + b"".join(f"more-{i}\n".encode() for i in range(20)) + b"last\n"
    assert run(scenario()) == expected
    assert len(list(harness.log_dir.glob("web.stdout.*"))) > 2
