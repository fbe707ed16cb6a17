"""`template` blocks in job files (HCL and Nomad's JSON), Nomad's defaults and its checks
(issue 11 part 3): every attribute Nomad documents, one set of rules for both paths."""

from __future__ import annotations

import json

import pytest

from caravan.errors import InvalidInput, JobValidationError
from caravan.jobspec import parse_hcl, parse_json
from caravan.structs import canonicalize, validate_job

S = 1_000_000_000


def job(template_body: str) -> str:
    return ('job "j" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n'
            '      config { command = "/bin/true" }\n'
            f"      template {{\n{template_body}\n      }}\n    }}\n  }}\n}}\n")


FULL = '''
        data = <<EOH
a={{ env "X" }}
EOH
        destination          = "local/a.env"
        perms                = "0600"
        uid                  = 1000
        gid                  = 1001
        left_delimiter       = "[["
        right_delimiter      = "]]"
        env                  = true
        change_mode          = "script"
        change_signal        = "sigusr1"
        splay                = "2s"
        error_on_missing_key = true
        once                 = true
        change_script {
          command       = "/bin/reload"
          args          = ["-q"]
          timeout       = "10s"
          fail_on_error = true
        }
        wait {
          min = "1s"
          max = "4s"
        }'''


def the_template(source: str):
    return canonicalize(parse_hcl(source)).task_groups[0].tasks[0].templates[0]


def test_every_attribute_nomad_documents_is_decoded() -> None:
    t = the_template(job(FULL))
    assert t.embedded_tmpl == 'a={{ env "X" }}\n'  # a heredoc keeps its last newline
    assert (t.dest_path, t.perms, t.uid, t.gid) == ("local/a.env", "0600", 1000, 1001)
    assert (t.left_delim, t.right_delim, t.envvars) == ("[[", "]]", True)
    assert (t.change_mode, t.change_signal, t.splay) == ("script", "SIGUSR1", 2 * S)
    assert (t.err_missing_key, t.once) == (True, True)
    script = t.change_script
    assert (script.command, script.args, script.timeout, script.fail_on_error) == (
        "/bin/reload", ["-q"], 10 * S, True)
    assert (t.wait.min, t.wait.max) == (1 * S, 4 * S)


def test_nomads_defaults() -> None:
    t = the_template(job('        data = "x"\n        destination = "local/x"'))
    assert (t.change_mode, t.change_signal, t.splay, t.perms) == ("restart", "", 5 * S, "0644")
    assert (t.left_delim, t.right_delim, t.envvars, t.once) == ("{{", "}}", False, False)
    assert (t.uid, t.gid, t.wait, t.change_script) == (None, None, None, None)
    signal = the_template(job('        data = "x"\n        destination = "l"\n'
                              '        change_mode = "signal"'))
    assert signal.change_signal == "SIGHUP"
    script = the_template(job('        data = "x"\n        destination = "l"\n'
                              '        change_mode = "script"\n'
                              '        change_script {\n          command = "c"\n        }'))
    assert (script.change_script.timeout, script.change_script.args) == (5 * S, [])


def test_json_uses_nomads_keys_and_matches_hcl() -> None:
    from_hcl = canonicalize(parse_hcl(job(FULL)))
    wire = {"Job": from_hcl.to_wire()}
    [t] = wire["Job"]["TaskGroups"][0]["Tasks"][0]["Templates"]
    assert {"EmbeddedTmpl", "DestPath", "SourcePath", "Envvars", "ErrMissingKey", "LeftDelim",
            "RightDelim", "Uid", "Gid", "ChangeScript", "Wait"} <= set(t)
    assert t["ChangeScript"]["FailOnError"] is True and t["Wait"]["Max"] == 4 * S
    assert canonicalize(parse_json(json.dumps(wire))) == from_hcl


@pytest.mark.parametrize(("body", "message"), [
    ('vault_grace = "5s"', 'attribute "vault_grace" is not supported by caravan'),
    ('destination = "x"\n        bogus = 1', 'unknown attribute "bogus"'),
    ('change_script {\n          command = "c"\n          run_on_first_render = true\n'
     '        }', 'attribute "run_on_first_render" is not supported by caravan'),
    ('wait {\n          mn = "1s"\n        }', 'unknown attribute "mn"'),
])
def test_unknown_and_refused_names_are_reported(body: str, message: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_hcl(job(f'        data = "x"\n        {body}'))
    assert any(message in e.message for e in info.value.errors), info.value.errors


def test_json_refuses_a_value_for_vault_grace_but_accepts_zero() -> None:
    base = {"ID": "j", "TaskGroups": [{"Name": "g", "Tasks": [{
        "Name": "t", "Driver": "raw_exec", "Templates": [
            {"EmbeddedTmpl": "x", "DestPath": "local/x", "VaultGrace": 0}]}]}]}
    assert parse_json(json.dumps(base)).task_groups[0].tasks[0].templates[0].dest_path == "local/x"
    base["TaskGroups"][0]["Tasks"][0]["Templates"][0]["VaultGrace"] = 5
    with pytest.raises(InvalidInput) as info:
        parse_json(json.dumps(base))
    assert [e.path for e in info.value.errors] == [
        "Job.TaskGroups[0].Tasks[0].Templates[0].VaultGrace"]


@pytest.mark.parametrize(("body", "problem"), [
    ('destination = "x"', "Must specify a source path or have an embedded template"),
    ('data = "x"', "Must specify a destination for the template"),
    ('data = "x"\n destination = "../../etc/passwd"', "destination escapes allocation directory"),
    ('data = "x"\n destination = "x"\n change_mode = "reload"', "Invalid change mode"),
    ('data = "x"\n destination = "x"\n change_mode = "script"', "must specify change script"),
    ('data = "x"\n destination = "x"\n change_mode = "signal"\n env = true',
     "cannot use signals with env var templates"),
    ('data = "x"\n destination = "x"\n perms = "0999"', 'Failed to parse "0999" as octal'),
    ('data = "x"\n destination = "x"\n splay = "-1s"', "Must specify positive splay value"),
    ('data = "x"\n destination = "x"\n wait {\n min = "5s"\n max = "1s"\n }',
     "wait min 5s is greater than max 1s"),
])
def test_nomads_validation(body: str, problem: str) -> None:
    job_ = canonicalize(parse_hcl(job(body)))
    with pytest.raises(JobValidationError) as info:
        validate_job(job_)
    [error] = info.value.errors
    assert error.path == "TaskGroups[0].Tasks[0].Templates[0]"
    assert error.message.startswith("Template 1 validation failed: ") and problem in error.message


def test_a_destination_may_reach_the_shared_alloc_dir_but_not_twice_the_same() -> None:
    two = job('        data = "x"\n        destination = "../alloc/shared.txt"').replace(
        "      template {", '      template {\n data = "y"\n destination = "../alloc/shared.txt"\n'
        "      }\n      template {", 1)
    with pytest.raises(JobValidationError) as info:
        validate_job(canonicalize(parse_hcl(two)))
    assert [e.message for e in info.value.errors] == ["Template 2 has same destination as 1"]
