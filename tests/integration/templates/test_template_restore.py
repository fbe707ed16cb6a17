"""A task that keeps running through an agent restart keeps its templates watched: the
new agent renders them again and a later change of a service still reaches the task."""

from __future__ import annotations

from typing import Any

import pytest

from tests.agents import wait_until
from tests.crash.client_agent import SECOND_NS, TASK_COMMAND, CrashAgent
from tests.crash.client_fixtures import crash_agent  # noqa: F401 - the fixture

pytestmark = pytest.mark.integration


def _job(job_id: str, count: int, **task_fields: Any) -> dict[str, Any]:
    argv = TASK_COMMAND.split()
    task = {"Name": "t", "Driver": "raw_exec", "KillTimeout": SECOND_NS // 5,
            "Config": {"command": argv[0], "args": argv[1:]},
            "Resources": {"CPU": 20, "MemoryMB": 32}, **task_fields}
    group: dict[str, Any] = {"Name": "g", "Count": count, "Tasks": [task],
                             "RestartPolicy": {"Attempts": 5, "Interval": 600 * SECOND_NS,
                                               "Delay": SECOND_NS // 10, "Mode": "fail"}}
    if not task_fields:
        group["Networks"] = [{"DynamicPorts": [{"Label": "http"}]}]
        group["Services"] = [{"Name": "tpl-r", "PortLabel": "http"}]
    return {"Job": {"ID": job_id, "Datacenters": ["dc1"], "TaskGroups": [group]}}


def test_templates_are_watched_again_after_an_agent_restart(
        crash_agent: CrashAgent) -> None:  # noqa: F811 - the fixture
    agent = crash_agent
    agent.start()
    agent.register(_job("tpl-r", 1))
    template = {"EmbeddedTmpl": '{{ len (nomadService "tpl-r") }}\n', "DestPath": "local/n",
                "Splay": 0, "Wait": {"Min": 0, "Max": SECOND_NS}}
    agent.register(_job("tpl-front", 1, Templates=[template]))
    wait_until(lambda: agent.running("tpl-front") == 1 and agent.running("tpl-r") == 1, 60,
               what="both jobs running")
    [alloc] = agent.allocs("tpl-front")
    rendered = agent.data_dir / "alloc" / alloc["ID"] / "t" / "local" / "n"
    assert rendered.read_text() == "1\n"

    agent.kill()
    agent.start()
    agent.register(_job("tpl-r", 2))
    wait_until(lambda: rendered.read_text() == "2\n", 60, what="rendered again after restart")
    state = wait_until(lambda: (s := agent.get(f"/v1/allocation/{alloc['ID']}")["TaskStates"]
                                ["t"])["Restarts"] == 1 and s["State"] == "running" and s, 60,
                       what="the task restarted by its template")
    assert any("Template with change_mode restart" in e["DisplayMessage"]
               for e in state["Events"])
    for job_id in ("tpl-front", "tpl-r"):
        agent.purge(job_id)
