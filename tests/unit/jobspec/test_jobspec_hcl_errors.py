"""Every problem in a job file is reported, each with its file, line and field path."""

from pathlib import Path

import pytest

from caravan.errors import FieldError, InvalidInput
from caravan.jobspec import hcl_to_api_json, parse_file, parse_hcl

FIXTURES = Path(__file__).parent / "fixtures"
FILE = "bad.nomad.hcl"


def problems(source: str) -> list[FieldError]:
    with pytest.raises(InvalidInput) as info:
        parse_hcl(source, filename=FILE)
    return info.value.errors


def only(source: str) -> FieldError:
    [error] = problems(source)
    assert error.file == FILE
    return error


def job(task_body: str, group_body: str = "") -> str:
    """A valid job around the given task lines; the task body starts at line 5."""
    return ('job "j" {\n'
            '  group "g" {\n'
            f"{group_body}"
            '    task "t" {\n'
            '      driver = "exec"\n'
            f"{task_body}\n"
            "    }\n"
            "  }\n"
            "}\n")


def test_unknown_attribute():
    error = only(job('      comand = "x"'))
    assert (error.line, error.path) == (5, 'job.group["g"].task["t"]')
    assert 'unknown attribute "comand"' in error.message


def test_unknown_block_suggests_the_known_one():
    error = only(job("      resourcs {\n        cpu = 1\n      }"))
    assert (error.line, error.path) == (5, 'job.group["g"].task["t"]')
    assert error.message == 'unknown block "resourcs"; did you mean "resources"?'


# Nomad has no task-level spread (only job and group): refused, not silently dropped.
@pytest.mark.parametrize("block", ["vault", "consul", "csi_plugin",
                                   "scaling", "spread"])
def test_unsupported_task_block(block):
    error = only(job(f"      {block} {{\n      }}"))
    assert (error.line, error.path) == (5, 'job.group["g"].task["t"]')
    assert error.message == f'block "{block}" is not supported by caravan'


@pytest.mark.parametrize("block", ["scaling", "consul"])
def test_unsupported_group_block(block):
    error = only(job("", group_body=f"    {block} {{\n    }}\n"))
    assert (error.line, error.path) == (3, 'job.group["g"]')
    assert error.message == f'block "{block}" is not supported by caravan'


@pytest.mark.parametrize("block", ["multiregion", "vault"])
def test_unsupported_job_block(block):
    source = f'job "j" {{\n  {block} {{\n  }}\n}}\n'
    error = only(source)
    assert (error.line, error.path) == (2, "job")
    assert error.message == f'block "{block}" is not supported by caravan'


def test_unsupported_attribute():
    error = only(job("", group_body='    shutdown_delay = "5s"\n'))
    assert (error.line, error.path) == (3, 'job.group["g"]')
    assert error.message == 'attribute "shutdown_delay" is not supported by caravan'


def test_network_dns_is_refused_with_its_place():
    error = only(job("      resources {\n        network {\n          dns {\n          }\n"
                     "        }\n      }"))
    assert (error.line, error.path) == (7, 'job.group["g"].task["t"].resources.network[0]')
    assert error.message == 'block "dns" is not supported by caravan'


def test_a_variable_block_needs_its_name():
    error = only('variable {\n}\n' + job(""))
    assert error.line == 1
    assert error.message == 'block "variable" must have a name label, e.g. variable "region" { ... }'


def test_wrong_type():
    error = only(job("", group_body='    count = "two"\n'))
    assert (error.line, error.path) == (3, 'job.group["g"].count')
    assert error.message == 'a number is required, got string "two"'


@pytest.mark.parametrize(("line", "message"), [
    ('leader = "yes"', 'a bool is required, got string "yes"'),
    ("user = [1]", "a string is required, got a list"),
    ("kill_timeout = true", 'a duration string such as "30s" is required, got bool true'),
])
def test_more_wrong_types(line, message):
    error = only(job(f"      {line}"))
    assert error.line == 5
    assert error.message == message


def test_wrong_type_in_a_list_and_a_map():
    source = 'job "j" {\n  datacenters = "dc1"\n  meta {\n    k = [1]\n  }\n}\n'
    first, second = problems(source)
    assert (first.line, first.path) == (2, "job.datacenters")
    assert first.message == 'a list of strings is required, got string "dc1"'
    assert (second.line, second.path) == (4, "job.meta.k")


def test_bad_duration():
    error = only(job('      kill_timeout = "5 minutes"'))
    assert (error.line, error.path) == (5, 'job.group["g"].task["t"].kill_timeout')
    assert 'unknown unit " minutes" in duration "5 minutes"' in error.message


def test_bad_duration_in_restart_block():
    error = only(job('      restart {\n        attempts = 1\n        delay = "soon"\n      }'))
    assert (error.line, error.path) == (7, 'job.group["g"].task["t"].restart.delay')
    assert 'invalid duration "soon"' in error.message


def test_missing_driver():
    source = 'job "j" {\n  group "g" {\n    task "t" {\n      user = "x"\n    }\n  }\n}\n'
    error = only(source)
    assert (error.line, error.path) == (3, 'job.group["g"].task["t"]')
    assert error.message == 'missing required attribute "driver"'


@pytest.mark.parametrize(("source", "line", "path", "kind"), [
    ('job {\n  group "g" {\n  }\n}\n', 1, "job", "job"),
    ('job "j" {\n  group {\n  }\n}\n', 2, "job.group[0]", "group"),
    ('job "j" {\n  group "g" {\n    task {\n      driver = "exec"\n    }\n  }\n}\n', 3,
     'job.group["g"].task[0]', "task"),
])
def test_missing_label(source, line, path, kind):
    error = only(source)
    assert (error.line, error.path) == (line, path)
    assert error.message.startswith(f'block "{kind}" must have a name label')


def test_extra_label_and_label_on_unlabeled_block():
    source = job('      resources "big" {\n      }', group_body='    task "a" "b" {\n'
                 '      driver = "exec"\n    }\n')
    first, second = problems(source)
    assert (first.line, first.message) == (3, 'block "task" takes one label, got 2')
    assert (second.line, second.path) == (8, 'job.group["g"].task["t"].resources')
    assert second.message == 'block "resources" takes no labels, got 1'


def test_duplicate_config():
    error = only(job('      config {\n        command = "a"\n      }\n'
                     '      config {\n        command = "b"\n      }'))
    assert (error.line, error.path) == (8, 'job.group["g"].task["t"]')
    assert error.message.startswith('duplicate block "config"')


def test_duplicate_env_as_block_and_attribute():
    error = only(job('      env = { A = "1" }\n      env {\n        B = "2"\n      }'))
    assert error.line == 6
    assert '"env" is defined more than once' in error.message


def test_duplicate_group_name():
    source = ('job "j" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n    }\n  }\n'
              '  group "g" {\n    task "t" {\n      driver = "exec"\n    }\n  }\n}\n')
    error = only(source)
    assert (error.line, error.path) == (7, 'job.group["g"]')
    assert "defined more than once" in error.message


def test_duplicate_attribute_is_a_parse_error_with_its_line():
    error = only('job "j" {\n  group "g" {\n    count = 1\n    count = 2\n  }\n}\n')
    assert error.line == 4
    assert '"count" is defined more than once' in error.message


def test_syntax_error_has_line_and_column():
    error = only('job "j" {\n  group "g" {\n    count = @\n  }\n}\n')
    assert error.line == 3
    assert error.message.startswith("syntax error at column")
    assert '"@"' in error.message


def test_unclosed_block_points_at_the_end_of_the_file():
    error = only('job "j" {\n  group "g" {\n    count = 1\n}\n')
    assert error.line == 4
    assert "end of file" in error.message and 'expected "}"' in error.message


def test_no_job_and_two_jobs():
    assert 'no "job" block' in only('# nothing here\n').message
    error = only('job "a" {\n}\njob "b" {\n}\n')
    assert error.line == 3
    assert 'only one "job" block' in error.message


def test_every_problem_is_reported_with_a_readable_message():
    path = FIXTURES / "many-errors.nomad.hcl"
    with pytest.raises(InvalidInput) as info:
        parse_file(path)
    found = [(e.line, e.path) for e in info.value.errors]
    assert found == [
        (2, "job.datacenters"),
        (3, "job"),
        (8, 'job.group["web"].count'),
        (10, 'job.group["web"].task["server"]'),
        (11, 'job.group["web"].task["server"]'),
        (12, 'job.group["web"].task["server"].kill_timeout'),
        (17, 'job.group["web"].task["server"]'),
        (21, 'job.group["web"].task["server"]'),
        (26, 'job.group["web"].task[1]'),
    ]
    assert all(e.file == str(path) for e in info.value.errors)
    lines = info.value.message.splitlines()
    assert len(lines) == len(found)
    server = 'job.group["web"].task["server"]'
    assert lines[3] == f'{path}:10: {server}: missing required attribute "driver"'
    assert lines[4] == f'{path}:11: {server}: unknown attribute "comand"'
    assert lines[1] == f'{path}:3: job: block "vault" is not supported by caravan'


def test_hcl_to_api_json_raises_the_same_errors():
    with pytest.raises(InvalidInput) as info:
        hcl_to_api_json(job('      comand = "x"'), filename=FILE)
    assert info.value.errors[0].line == 5


def test_unreadable_file_is_invalid_input(tmp_path):
    with pytest.raises(InvalidInput) as info:
        parse_file(tmp_path / "missing.nomad.hcl")
    assert "cannot read job file" in info.value.message


def test_lifecycle_block_is_decoded_and_checked():
    from caravan.jobspec.parse import parse_hcl
    job_ = parse_hcl('job "j" {\n  group "g" {\n    task "t" {\n      driver = "exec"\n'
                     '      lifecycle {\n        hook = "prestart"\n        sidecar = true\n'
                     '      }\n    }\n  }\n}\n')
    lifecycle = job_.task_groups[0].tasks[0].lifecycle
    assert lifecycle is not None and (lifecycle.hook, lifecycle.sidecar) == ("prestart", True)
    error = only(job("      lifecycle {\n        hook = \"prestart\"\n        when = 1\n      }"))
    assert "when" in error.message
