"""Nomad's JSON job -> structs.Job: the same Job as the HCL, strays refused by path."""

import json
from pathlib import Path

import pytest

from caravan.structs import canonicalize

from caravan.errors import InvalidInput
from caravan.jobspec import parse_file, parse_hcl, parse_json

FIXTURES = Path(__file__).parent / "fixtures"
FILE = "job.json"


def minimal(**task_extra):
    task = {"Name": "t", "Driver": "exec", "Config": {"command": "/bin/true"}, **task_extra}
    return {"ID": "j", "TaskGroups": [{"Name": "g", "Tasks": [task]}]}


def problems(document):
    with pytest.raises(InvalidInput) as info:
        parse_json(json.dumps(document), filename=FILE)
    assert all(e.file == FILE for e in info.value.errors)
    return [(e.path, e.message) for e in info.value.errors]


def test_json_fixture_is_the_same_job_as_the_hcl():
    from_json = parse_file(FIXTURES / "full.json")
    from_hcl = parse_file(FIXTURES / "full.nomad.hcl")
    # `job inspect` prints Nomad's update defaults the HCL leaves unset: equal once filled.
    assert canonicalize(from_json) == canonicalize(from_hcl)
    assert from_json.group("web").task("server").kill_timeout == 20_000_000_000


def test_bare_object_bytes_and_wrapped_forms_agree():
    document = minimal()
    wrapped = parse_json(json.dumps({"Job": document}))
    assert parse_json(json.dumps(document)) == wrapped
    assert parse_json(json.dumps(document).encode()) == wrapped
    assert wrapped.task_groups[0].tasks[0].config == {"command": "/bin/true"}


def test_keys_match_case_insensitively():
    job = parse_json('{"id": "j", "taskgroups": [{"name": "g", "COUNT": 2, '
                     '"tasks": [{"name": "t", "driver": "exec", "resources": {"memorymb": 1}}]}]}')
    assert job.id == "j" and job.task_groups[0].count == 2
    assert job.task_groups[0].tasks[0].resources.memory_mb == 1
    # Paths use Nomad's spelling; the message names the key as written.
    assert problems({"id": "j", "taskgroups": [{"tasks": [{"memorymb": 1}]}]}) == [
        ("Job.TaskGroups[0].Tasks[0].memorymb", "unknown field")]


def test_nulls_are_unset_fields():
    job = parse_json(json.dumps({"ID": "j", "Priority": None, "Namespace": None,
                                 "TaskGroups": [{"Name": "g", "Count": None, "Tasks": None}]}))
    assert (job.priority, job.namespace) == (50, "default")
    assert job.task_groups[0].count is None and job.task_groups[0].tasks == []


def test_unknown_keys_are_reported_with_their_path():
    document = minimal(Comand="x", Resources={"CPU": 100, "Memry": 5})
    document["Bogus"] = 1
    document["TaskGroups"][0]["Cont"] = 2
    assert sorted(problems(document)) == [
        ("Job.Bogus", "unknown field"),
        ("Job.TaskGroups[0].Cont", "unknown field"),
        ("Job.TaskGroups[0].Tasks[0].Comand", "unknown field"),
        ("Job.TaskGroups[0].Tasks[0].Resources.Memry", "unknown field"),
    ]


def test_unmodelled_nomad_fields_are_accepted_when_empty_or_default():
    document = minimal(Services=None, Templates=[], Vault=None, ShutdownDelay=0,
                       Lifecycle=None, Identity=None)
    document.update(Affinities=None, Spreads=[], Multiregion=None, VaultToken="",
                    Update={"Stagger": 30_000_000_000, "MaxParallel": 1, "Canary": 0})
    document["TaskGroups"][0].update(
        Networks=[], Services=None, Scaling=None, StopAfterClientDisconnect=None,
        Migrate={"MaxParallel": 1, "HealthCheck": "checks"},
        Consul={"Namespace": "", "Cluster": "default"})
    assert parse_json(json.dumps(document)).id == "j"


def test_unmodelled_nomad_fields_with_a_value_are_refused():
    document = minimal(Kind="connect-proxy:web", Vault={"Policies": ["p"]})
    document["Multiregion"] = {"Regions": [{"Name": "east"}]}
    document["TaskGroups"][0]["Networks"] = [{"Mode": "host", "DNS": {"Servers": ["1.1.1.1"]}}]
    document["TaskGroups"][0]["Tasks"][0]["Resources"] = {"Devices": [{"Name": "gpu"}]}
    assert sorted(problems(document)) == [
        ("Job.Multiregion", "not supported by caravan"),
        ("Job.TaskGroups[0].Networks[0].DNS", "not supported by caravan"),
        ("Job.TaskGroups[0].Tasks[0].Kind", "not supported by caravan"),
        ("Job.TaskGroups[0].Tasks[0].Resources.Devices", "not supported by caravan"),
        ("Job.TaskGroups[0].Tasks[0].Vault", "not supported by caravan"),
    ]


def test_wrong_types_have_nomad_style_paths():
    document = minimal(KillTimeout="5s", Resources={"CPU": True})
    document["TaskGroups"][0]["Count"] = "two"
    assert problems(document) == [
        ("Job.TaskGroups[0].Count", 'wrong type: an integer is required, got string "two"'),
        ("Job.TaskGroups[0].Tasks[0].Resources.CPU",
         "wrong type: an integer is required, got bool true"),
        ("Job.TaskGroups[0].Tasks[0].KillTimeout",
         'wrong type: an integer is required, got string "5s"'),
    ]


def test_strays_and_wrong_types_are_reported_together():
    document = minimal(Comand="x")
    document["TaskGroups"][0]["Count"] = "two"
    assert [p for p, _ in problems(document)] == ["Job.TaskGroups[0].Tasks[0].Comand",
                                                  "Job.TaskGroups[0].Count"]


def test_wrong_shapes():
    assert problems({"ID": "j", "TaskGroups": {"g": {}}}) == [
        ("Job.TaskGroups", "wrong type: a list is required, got an object")]
    assert problems([1]) == [("", "a JSON object is required, got a list")]


def test_invalid_json_has_a_line():
    with pytest.raises(InvalidInput) as info:
        parse_json('{\n  "ID": "j",\n  "Type": \n}\n', filename=FILE)
    [error] = info.value.errors
    assert error.line == 4
    assert error.message.startswith("invalid JSON")
    assert str(error).startswith("job.json:4: invalid JSON")


def test_register_request_fields_around_job_are_allowed():
    job = parse_json(json.dumps({"Job": minimal(), "EnforceIndex": False, "JobModifyIndex": 0}))
    assert job.id == "j"
    assert problems({"Job": minimal(), "Extra": 1}) == [("", 'unknown field "Extra" next to "Job"')]


def test_parse_file_picks_json_by_extension_or_content(tmp_path):
    document = json.dumps({"Job": minimal()})
    by_extension = tmp_path / "job.json"
    by_extension.write_text(document)
    by_content = tmp_path / "job.nomad"
    by_content.write_text("\n  " + document)
    assert parse_file(by_extension) == parse_file(by_content) == parse_json(document)


def test_hcl_and_json_agree_on_a_small_job():
    hcl = parse_hcl('job "j" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n'
                    '      config {\n        command = "/bin/true"\n      }\n    }\n  }\n}\n')
    assert hcl == parse_json(json.dumps(minimal()))
