"""HCL2 variables, locals and expressions in job files: values from defaults, the
environment, variables files and -var in Nomad's order, type conversion, validation,
and errors that name the file, line and variable."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caravan.errors import InvalidInput
from caravan.jobspec import VarInputs, hcl_to_api_json, parse_file, parse_hcl

JOB = '''variable "greeting" {
  type        = string
  default     = "from-default"
  description = "what the task says"
}
variable "count" {
  type = number
  default = 1
  validation {
    condition     = var.count > 0 && var.count < 10
    error_message = "count must be between 1 and 9"
  }
}
variable "dcs" {
  type    = list(string)
  default = ["dc1"]
}
variable "tags" {
  type      = map(string)
  default   = {}
  sensitive = true
}
locals {
  words = [for w in split(" ", local.phrase) : upper(w)]
  phrase = "${var.greeting} world"
}
job "vars" {
  datacenters = var.dcs
  meta {
    words = join(",", local.words)
    where = "${NOMAD_ALLOC_DIR}/out"
    tagged = length(var.tags) > 0 ? "yes" : "no"
  }
  group "g" {
    count = var.count
    task "t" {
      driver = "raw_exec"
      config {
        command = "/bin/echo"
        args    = ["${var.greeting}", "${attr.kernel.name}", "$${literal}"]
      }
      env {
        COUNT = var.count
      }
    }
  }
}
'''


def parse(source: str = JOB, **inputs: object) -> object:
    return parse_hcl(source, filename="vars.nomad.hcl", variables=VarInputs(**inputs))


def errors(source: str = JOB, **inputs: object) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        parse(source, **inputs)
    return [str(e) for e in info.value.errors]


def test_defaults_locals_and_runtime_references() -> None:
    job = parse()
    group = job.task_groups[0]
    task = group.tasks[0]
    assert job.datacenters == ["dc1"]
    assert job.meta == {"words": "FROM-DEFAULT,WORLD", "where": "${NOMAD_ALLOC_DIR}/out",
                        "tagged": "no"}
    assert group.count == 1
    assert task.config["args"] == ["from-default", "${attr.kernel.name}", "${literal}"]
    assert task.env == {"COUNT": "1"}


def test_precedence_default_env_file_then_var(tmp_path: Path) -> None:
    hcl_file = tmp_path / "a.hcl"
    hcl_file.write_text('greeting = "from-file"\n')
    json_file = tmp_path / "b.json"
    json_file.write_text(json.dumps({"greeting": "from-json"}))
    env = {"NOMAD_VAR_greeting": "from-env", "NOMAD_VAR_count": "3"}

    def said(**inputs: object) -> str:
        return str(parse(**inputs).task_groups[0].tasks[0].config["args"][0])

    assert said(env=env) == "from-env"
    assert said(env=env, files=(str(hcl_file),)) == "from-file"
    assert said(env=env, files=(str(hcl_file), str(json_file))) == "from-json"
    assert said(env=env, files=(str(hcl_file),), args=("greeting=from-flag",)) == "from-flag"
    assert said(args=("greeting=one", "greeting=two")) == "two"
    assert parse(env=env).task_groups[0].count == 3


def test_var_values_are_converted_to_the_declared_type() -> None:
    job = parse(args=("count=2", 'dcs=["a", "b"]', 'tags={ team = "x" }'))
    assert job.task_groups[0].count == 2
    assert job.datacenters == ["a", "b"]
    assert job.meta["tagged"] == "yes"


def test_unset_variable_names_file_line_and_variable() -> None:
    source = 'variable "image" {\n  type = string\n}\n' + JOB
    [error] = errors(source)
    assert error.startswith('vars.nomad.hcl:1: Unset variable "image": a used variable must '
                            "be set or have a default value")


def test_failed_validation_names_the_rule_and_the_source_of_the_value() -> None:
    [error] = errors(args=("count=12",))
    assert error == ('vars.nomad.hcl:9: Invalid value for variable "count" (set by -var): '
                     "count must be between 1 and 9; this was checked by the validation "
                     "rule at line 9")
    [error] = errors(env={"NOMAD_VAR_count": "0"})
    assert "(set by NOMAD_VAR_count)" in error


def test_a_value_of_the_wrong_type_is_refused() -> None:
    [error] = errors(args=("count=many",))
    assert error.startswith("-var: Invalid value for variable count: the value is not "
                            "compatible with the variable's type constraint (number)")
    [error] = errors(args=("dcs=[unclosed",))
    assert "Invalid value for variable dcs" in error


def test_undefined_variables_are_errors_only_when_strict(tmp_path: Path) -> None:
    var_file = tmp_path / "v.hcl"
    var_file.write_text('greeting = "x"\nnope = 1\n')
    found = errors(args=("other=1",), files=(str(var_file),))
    assert any(e.startswith(f'{var_file}:2: Undefined variable: a "nope" variable')
               for e in found)
    assert any(e.startswith('-var: Undefined -var variable: a "other" variable')
               for e in found)
    parse(args=("other=1",), files=(str(var_file),), strict=False)


def test_a_variables_file_may_not_declare_variables(tmp_path: Path) -> None:
    var_file = tmp_path / "v.hcl"
    var_file.write_text('variable "x" {\n}\n')
    [error] = errors(files=(str(var_file),))
    assert error.startswith(f"{var_file}:1: Variable declaration in a variables file")


def test_locals_in_a_cycle_are_an_error() -> None:
    source = JOB.replace('  phrase = "${var.greeting} world"',
                         '  phrase = "${local.echo} world"\n  echo = local.words[0]')
    found = errors(source)
    assert len(found) == 1
    assert "locals refer to each other in a cycle: local." in found[0]
    assert found[0].startswith("vars.nomad.hcl:2")


def test_expression_errors_name_the_attribute_and_line() -> None:
    source = JOB.replace("count = var.count\n", "count = var.cuont\n")
    [error] = errors(source)
    assert error == ('vars.nomad.hcl:35: job["vars"].group["g"].count: unsupported '
                     'attribute: var has no attribute "cuont"')


def test_validation_may_refer_only_to_its_own_variable() -> None:
    source = JOB.replace("var.count > 0 && var.count < 10", "var.count > length(var.dcs)")
    [error] = errors(source)
    assert "can only refer to the variable itself, using var.count" in error


def test_file_reads_relative_to_the_job_file(tmp_path: Path) -> None:
    (tmp_path / "greeting.txt").write_text("from-a-file")
    path = tmp_path / "job.nomad.hcl"
    path.write_text(JOB.replace('default     = "from-default"',
                                'default     = "unused"').replace(
        '"${var.greeting}", "${attr', 'trimspace(file("greeting.txt")), "${attr'))
    job = parse_file(path, VarInputs(base_dir=str(tmp_path), allow_fs=True))
    assert job.task_groups[0].tasks[0].config["args"][0] == "from-a-file"


def test_jobs_parse_takes_variables_and_ignores_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOMAD_VAR_greeting", "from-server-env")
    wire = hcl_to_api_json(JOB, variables='greeting = "from-request"\nundeclared = 1\n')
    assert wire["TaskGroups"][0]["Tasks"][0]["Config"]["args"][0] == "from-request"
    wire = hcl_to_api_json(JOB)
    assert wire["TaskGroups"][0]["Tasks"][0]["Config"]["args"][0] == "from-default"


def test_jobs_parse_refuses_file_functions(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("s3cret")
    source = JOB.replace('"${var.greeting}", "${attr', f'file("{secret}"), "${{attr')
    with pytest.raises(InvalidInput) as info:
        hcl_to_api_json(source)
    assert "filesystem functions are disabled" in str(info.value)
    assert "s3cret" not in str(info.value)


def test_json_jobs_take_no_variables(tmp_path: Path) -> None:
    path = tmp_path / "job.json"
    path.write_text('{"Job": {"ID": "x"}}')
    with pytest.raises(InvalidInput, match="cannot use variables with JSON files"):
        parse_file(path, VarInputs(args=("a=1",)))


def test_a_variables_file_with_bad_syntax_names_itself(tmp_path: Path) -> None:
    var_file = tmp_path / "v.hcl"
    var_file.write_text('greeting = "x"\ncount = = 2\n')
    [error] = errors(files=(str(var_file),))
    assert error.startswith(f"{var_file}:2: syntax error")


def test_short_variables_block_untyped_values_and_json_files(tmp_path: Path) -> None:
    source = ('variables {\n  enabled = true\n  names = ["a"]\n}\n'
              'variable "free" {\n}\n'
              'job "j" {\n  meta {\n    e = var.enabled ? "on" : "off"\n'
              '    n = join(",", var.names)\n    f = var.free\n  }\n}\n')
    json_file = tmp_path / "v.json"
    json_file.write_text(json.dumps({"names": ["x", "y"]}))
    job = parse(source, args=("enabled=false", "free=[1, 2]"), files=(str(json_file),))
    # Untyped without a default: -var text is a string, as in Nomad.
    assert job.meta == {"e": "off", "n": "x,y", "f": "[1, 2]"}
