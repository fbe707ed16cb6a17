"""A client whose data dir's filesystem fills up: no task runs unmanaged, no loop dies,
and once space is freed everything works again without a restart.

The data dir is a small tmpfs this test mounts (and always unmounts); the server runs
in its own agent with its data on the ordinary disk, so only the client's writes fail.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import wait_until
from tests.crash import client_host as host
from tests.crash.client_agent import SECOND_NS, TASK_COMMAND, CrashAgent, job
from tests.crash.client_fixtures import alloc_ids

pytestmark = pytest.mark.integration


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[tuple[CrashAgent, CrashAgent]]:
    server = CrashAgent(root=tmp_path, name="server", client=False)
    client = CrashAgent(root=tmp_path, name="client", server=False)
    client.data_dir.mkdir(parents=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(client.data_dir)],
                   check=True)
    try:
        server.start()
        client.servers = [server.address.removeprefix("http://")]
        yield server, client.start()
    finally:
        ids = alloc_ids(client)
        client.kill()
        server.stop()
        host.clean_up(client.data_dir, ids, TASK_COMMAND)
        subprocess.run(["umount", "-l", str(client.data_dir)], check=False)


def _fill(path: Path) -> None:
    """Write zeros into `path` until the filesystem has no space left."""
    with open(path, "wb") as f:
        try:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        except OSError:
            pass


def test_full_data_dir_then_freed(agents: tuple[CrashAgent, CrashAgent]) -> None:
    server, client = agents
    server.register(job("before", 2))
    wait_until(lambda: server.running("before") == 2, 60, 0.2, what="first job running")
    filler = client.data_dir / "filler"
    _fill(filler)
    retry = {"Attempts": 100, "Interval": 3600 * SECOND_NS, "Delay": SECOND_NS,
             "Mode": "fail"}
    server.register(job("during", 3, restart=retry))
    wait_until(lambda: len(server.allocs("during")) == 3 and all(
        any(e["Type"] == "Restarting" for e in (a.get("TaskStates") or {}).get(
            "main", {}).get("Events", [])) for a in server.allocs("during")), 60, 0.2,
        what="every new task failing to start, to be retried")
    during = {a["ID"] for a in server.allocs("during")}
    running = host.task_processes(client.data_dir, TASK_COMMAND)
    assert not during & set(running), "a task runs although its start could not be recorded"
    events = [e for a in server.allocs("during") for e in a["TaskStates"]["main"]["Events"]]
    assert any("no space left on device" in (e["DisplayMessage"] or "").lower()
               for e in events)
    filler.unlink()
    wait_until(lambda: server.running("during") == 3, 60, 0.2, what="started once space is freed")
    found = host.task_processes(client.data_dir, TASK_COMMAND)
    assert sorted(len(found[a]) for a in during | {a["ID"] for a in server.allocs("before")}) \
        == [1] * 5
    # Everything it started is still managed: a restart re-attaches, a purge stops all.
    client.kill()
    client.start()
    wait_until(lambda: server.running("during") == 3 and server.running("before") == 2,
               60, 0.2, what="running after the restart")
    assert {a: len(p) for a, p in host.task_processes(client.data_dir, TASK_COMMAND).items()} \
        == {a: 1 for a in found}
    ids = alloc_ids(client)
    server.purge("during")
    server.purge("before")
    wait_until(lambda: not host.leftovers(client.data_dir, ids, TASK_COMMAND), 60, 0.5,
               what="nothing left after purge")
