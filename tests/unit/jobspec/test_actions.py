"""Job actions in job files (HCL and Nomad's JSON) and Nomad's checks of them (issue 13 part 8)."""

from __future__ import annotations

import json

import pytest

from caravan.errors import InvalidInput, JobValidationError
from caravan.jobspec import parse_hcl, parse_json
from caravan.structs import Action
from caravan.structs.action import action_problems
from caravan.structs.validate import validate_job

HCL = '''job "web" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config { command = "sleep" }
      action "flush" {
        command = "/bin/sh"
        args    = ["-c", "echo flushed"]
      }
      action "date" { command = "date" }
    }
  }
}
'''


def test_hcl_action_blocks_become_task_actions_in_order() -> None:
    task = parse_hcl(HCL).task_groups[0].tasks[0]
    assert task.actions == [Action(name="flush", command="/bin/sh", args=["-c", "echo flushed"]),
                            Action(name="date", command="date")]
    assert task.actions[0].argv() == ["/bin/sh", "-c", "echo flushed"]


def test_json_actions_round_trip_with_nomads_names() -> None:
    job = parse_hcl(HCL)
    wire = job.model_dump(by_alias=True)
    assert wire["TaskGroups"][0]["Tasks"][0]["Actions"][0] == {
        "Name": "flush", "Command": "/bin/sh", "Args": ["-c", "echo flushed"]}
    again = parse_json(json.dumps({"Job": wire}))
    assert again.task_groups[0].tasks[0].actions == job.task_groups[0].tasks[0].actions


@pytest.mark.parametrize("block, message", [
    ('action { command = "x" }', 'block "action" must have a name label'),
    ('action "a" { args = ["x"] }', 'missing required attribute "command"'),
    ('action "a" {\n command = "x"\n comand = "y"\n}', "comand"),
])
def test_bad_action_blocks_are_reported(block: str, message: str) -> None:
    source = HCL.replace('action "date" { command = "date" }', block)
    with pytest.raises(InvalidInput) as info:
        parse_hcl(source)
    assert any(message in e.message for e in info.value.errors), info.value.errors


def test_nomads_checks_empty_command_bad_name_and_duplicates() -> None:
    actions = [Action(name="ok", command="x"), Action(name="has space", command="x"),
               Action(name="e", command=""), Action(name="ok", command="y"),
               Action(name="ok", command="z")]
    assert action_problems(actions) == [
        (1, "Action has space validation failed: invalid name 'has space'"),
        (2, "Action e validation failed: command cannot be empty"),
        (3, "Action ok defined multiple times")]
    job = parse_hcl(HCL)
    job.task_groups[0].tasks[0].actions = actions
    with pytest.raises(JobValidationError) as info:
        validate_job(job)
    assert "Action ok defined multiple times" in str(info.value.errors)
