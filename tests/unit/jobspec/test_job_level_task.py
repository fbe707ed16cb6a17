"""A `task` directly under `job` is a group of the same name holding that one task, placed
before the job's groups, as Nomad's HCL2 parser does (jobspec2 normalizeJob)."""

import pytest

from caravan.errors import InvalidInput
from caravan.jobspec import parse_hcl
from caravan.structs import canonicalize, validate_job

SOURCE = '''job "lone" {
  datacenters = ["dc1"]
  task "first" {
    driver = "raw_exec"
    config {
      command = "/bin/true"
    }
    resources {
      memory = 32
    }
  }
  group "web" {
    count = 2
    task "server" {
      driver = "raw_exec"
    }
  }
  task "second" {
    driver = "exec"
  }
}
'''


def test_each_lone_task_becomes_a_group_of_its_name_before_the_groups():
    job = parse_hcl(SOURCE)
    assert [g.name for g in job.task_groups] == ["first", "second", "web"]
    first = job.group("first")
    assert [t.name for t in first.tasks] == ["first"] and first.count is None
    assert first.tasks[0].config == {"command": "/bin/true"}
    assert first.tasks[0].resources.memory_mb == 32
    assert job.group("web").count == 2


def test_a_lone_task_group_gets_a_group_s_defaults_and_validates():
    job = canonicalize(parse_hcl(SOURCE))
    assert job.group("first").count == 1
    validate_job(job)


def test_a_lone_task_is_checked_like_any_task():
    source = 'job "j" {\n  task "t" {\n    driver = "raw_exec"\n    vault {\n    }\n  }\n}\n'
    with pytest.raises(InvalidInput) as info:
        parse_hcl(source, filename="j.hcl")
    [error] = info.value.errors
    assert (error.path, error.line) == ('job.task["t"]', 4)
    assert error.message == 'block "vault" is not supported by caravan'


def test_two_lone_tasks_of_one_name_are_reported_with_both_lines():
    source = ('job "j" {\n  task "t" {\n    driver = "raw_exec"\n  }\n'
              '  task "t" {\n    driver = "raw_exec"\n  }\n}\n')
    with pytest.raises(InvalidInput) as info:
        parse_hcl(source, filename="j.hcl")
    [error] = info.value.errors
    assert error.line == 5 and "first is at line 2" in error.message


def test_a_lone_task_named_like_a_group_is_a_validation_error():
    source = ('job "j" {\n  datacenters = ["dc1"]\n  task "web" {\n    driver = "raw_exec"\n  }\n'
              '  group "web" {\n    task "x" {\n      driver = "raw_exec"\n    }\n  }\n}\n')
    with pytest.raises(InvalidInput, match="redefines 'web'"):
        validate_job(canonicalize(parse_hcl(source)))


def test_the_id_attribute_overrides_the_label():
    job = parse_hcl('job "label" {\n  id = "other"\n  task "t" {\n    driver = "exec"\n  }\n}\n')
    assert (job.id, job.name) == ("other", "label")
