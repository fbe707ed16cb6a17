"""Nomad's job actions: `caravan action`, the `/v1/job/<id>/action` WebSocket, the
`/v1/job/<id>/actions` list and `job inspect` (issue 13 part 8)."""

from __future__ import annotations

import json
import pwd

import httpx
import pytest

from tests.agents import wait_until
from tests.integration.exec_more.conftest import Fleet, cli
from tests.integration.exec_more.wsexec import ws_exec

pytestmark = pytest.mark.integration

NOBODY = pwd.getpwnam("nobody").pw_uid


def test_an_action_runs_from_the_cli_by_group_and_task_or_by_alloc(fleet: Fleet) -> None:
    by_group = cli(fleet.agent, "action", "-job", "iso", "-group", "main", "-task", "main",
                   "-i=false", "whoami")
    assert (by_group.returncode, by_group.stdout) == (0, f"{NOBODY}\n"), by_group.stderr
    by_alloc = cli(fleet.agent, "job", "action", "-job=raw", f"-alloc={fleet.raw['ID'][:8]}",
                   "-i=false", "hello")
    assert (by_alloc.returncode, by_alloc.stdout) == (0, "hello from raw\n"), by_alloc.stderr
    failing = cli(fleet.agent, "action", "-job", "iso", "-group", "main", "-task", "main",
                  "-i=false", "fail")
    assert (failing.returncode, failing.stderr) == (4, "bad\n")


def test_cli_refusals_use_nomads_words(fleet: Fleet) -> None:
    assert cli(fleet.agent, "action", "-job", "iso").stderr.startswith(
        "An action name is required")
    assert cli(fleet.agent, "action", "whoami").stderr.startswith("A job ID is required")
    assert cli(fleet.agent, "action", "-job", "iso", "whoami").stderr.startswith(
        "A group name is required if no allocation is provided")
    assert cli(fleet.agent, "action", "-job", "iso", "-group", "main", "whoami").stderr \
        .startswith("A task name is required if no allocation is provided")
    unknown = cli(fleet.agent, "action", "-job", "iso", "-group", "main", "-task", "main",
                  "-i=false", "nope")
    assert unknown.returncode == 1
    assert unknown.stderr == "failed to exec into task: action nope not found in task main\n"


def test_the_action_websocket_with_nomads_query(fleet: Fleet) -> None:
    query = {"action": "whoami", "allocID": fleet.iso["ID"], "task": "main", "group": "main",
             "tty": "false", "command": "[]"}
    assert ws_exec(fleet.agent.address, "/v1/job/iso/action", query) == \
        ("ok", 0, f"{NOBODY}\n")
    other_job = ws_exec(fleet.agent.address, "/v1/job/raw/action", query)
    assert other_job == ("closed", None, f"job raw does not have allocation {fleet.iso['ID']}")
    no_task = ws_exec(fleet.agent.address, "/v1/job/iso/action", {**query, "task": "other"})
    assert no_task == ("closed", None, f"task other not found in allocation {fleet.iso['ID']}")
    no_alloc = ws_exec(fleet.agent.address, "/v1/job/iso/action",
                       {k: v for k, v in query.items() if k != "allocID"})
    assert no_alloc == ("http", 400, "must provide a valid alloc id")
    # The command comes from the job only: one in the query is not run instead.
    ignored = ws_exec(fleet.agent.address, "/v1/job/iso/action",
                      {**query, "command": '["/bin/echo", "injected"]'})
    assert ignored == ("ok", 0, f"{NOBODY}\n")


def test_actions_are_listed_and_shown_by_job_inspect(fleet: Fleet) -> None:
    listed = httpx.get(f"{fleet.agent.address}/v1/job/iso/actions", timeout=10).json()
    assert listed == [
        {"Name": "whoami", "Command": "/usr/bin/id", "Args": ["-u"], "TaskName": "main",
         "TaskGroupName": "main"},
        {"Name": "fail", "Command": "/bin/sh", "Args": ["-c", "echo bad >&2; exit 4"],
         "TaskName": "main", "TaskGroupName": "main"}]
    inspect = cli(fleet.agent, "job", "inspect", "iso")
    assert inspect.returncode == 0, inspect.stderr
    task = json.loads(inspect.stdout)["Job"]["TaskGroups"][0]["Tasks"][0]
    assert [a["Name"] for a in task["Actions"]] == ["whoami", "fail"]
    assert task["Actions"][0] == {"Name": "whoami", "Command": "/usr/bin/id", "Args": ["-u"]}


def test_an_action_leaves_an_audit_record(fleet: Fleet) -> None:
    hello = cli(fleet.agent, "job", "action", "-job=raw", f"-alloc={fleet.raw['ID'][:8]}",
                "-i=false", "hello")
    assert hello.returncode == 0, hello.stderr

    def record() -> dict[str, object] | None:
        records = httpx.get(f"{fleet.agent.address}/v1/exec/sessions",
                            params={"alloc": fleet.raw["ID"]}, timeout=10).json()
        return next((r for r in records if r["Kind"] == "action" and r["EndTime"]), None)
    found = wait_until(record, 30, what="the action's audit record")
    assert found["ExitCode"] == 0 and found["Task"] == "main" and found["Command"]
