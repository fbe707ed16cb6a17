"""Nothing orphaned: at start a client removes every executor, task process, runc
container, cgroup and mount under its data dir that belongs to no allocation it knows,
or to one whose task it knows to be dead, and logs what it removed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import wait_until
from tests.crash import client_host as host
from tests.crash.client_agent import TASK_COMMAND, CrashAgent, job
from tests.crash.client_fixtures import alloc_ids

pytestmark = pytest.mark.integration


@pytest.fixture
def agents(tmp_path: Path) -> Iterator[tuple[CrashAgent, CrashAgent]]:
    server = CrashAgent(root=tmp_path, name="server", client=False)
    client = CrashAgent(root=tmp_path, name="client", server=False)
    try:
        server.start()
        client.servers = [server.address.removeprefix("http://")]
        yield server, client.start()
    finally:
        ids = alloc_ids(client)
        client.kill()
        server.stop()
        host.clean_up(client.data_dir, ids, TASK_COMMAND)


def test_orphans_are_removed_at_start(agents: tuple[CrashAgent, CrashAgent]) -> None:
    server, client = agents
    server.register(job("raw", 3))
    server.register(job("isolated", 2, driver="exec"))
    wait_until(lambda: server.running("raw") == 3 and server.running("isolated") == 2, 60,
               0.2, what="tasks running")
    ids = alloc_ids(client)
    assert len(host.leftovers(client.data_dir, ids, TASK_COMMAND)) >= 5 + 5 + 2 + 2
    client.kill()
    # While the client is down its allocations go away for good; it forgets all but one,
    # and remembers that one's task as dead.
    server.purge("raw")
    server.purge("isolated")
    saved = sorted((client.data_dir / "client" / "allocs").glob("*.json"))
    kept, forgotten = saved[0], saved[1:]
    for path in forgotten:
        path.unlink()
    state = json.loads(kept.read_text())
    state["tasks"]["main"]["task_state"]["State"] = "dead"
    kept.write_text(json.dumps(state))
    client.start()
    wait_until(lambda: not host.leftovers(client.data_dir, ids, TASK_COMMAND), 60, 0.2,
               what="nothing left of the orphans")
    log = client.logs()
    assert log.count("removed executor and task of") == 5
    assert log.count("removed container") == 2
