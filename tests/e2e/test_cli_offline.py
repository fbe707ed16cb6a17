"""The CLI where no agent is needed: help, version, local job parsing, and what a
user sees when no agent answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.agents import free_port
from tests.e2e.cli import caravan


def offline_env() -> dict[str, str]:
    return {"CARAVAN_ADDR": f"http://127.0.0.1:{free_port()}", "PATH": "/usr/bin:/bin"}


def test_help_lists_commands_without_importing_them() -> None:
    result = caravan(None, "-help", env=offline_env())
    assert result.returncode == 0
    assert "Usage: caravan [-version] [-help] <command> [args]" in result.stdout
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, caravan.cli.main; "
         "print(sorted(m for m in sys.modules if m.startswith(('httpx', 'caravan.api', "
         "'caravan.cli.job'))))"], capture_output=True, text=True, check=True)
    assert probe.stdout.strip() == "[]"


def test_version() -> None:
    for args in (["version"], ["-version"], ["--version"]):
        result = caravan(None, *args, env=offline_env())
        assert result.returncode == 0 and result.stdout.startswith("Caravan v"), args


def test_no_agent_running() -> None:
    env = offline_env()
    result = caravan(None, "job", "status", env=env)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"Error querying jobs: connection refused: is an agent running at "
        f"{env['CARAVAN_ADDR']}?")


def test_bad_job_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.nomad.hcl"
    path.write_text('job "bad" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n'
                    '      bogus  = 1\n    }\n  }\n}\n')
    result = caravan(None, "job", "run", str(path), env=offline_env())
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error getting job struct: {path}:5: ")
    assert "bogus" in result.stderr
    assert result.stdout == ""


def test_usage_errors_exit_one_with_a_hint() -> None:
    result = caravan(None, "job", "run", env=offline_env())
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["This command takes one argument: <path>",
                                          "For additional help try 'caravan job run -help'"]


def test_job_run_output_prints_the_api_json(tmp_path: Path) -> None:
    path = tmp_path / "j.nomad.hcl"
    path.write_text('job "j" {\n  group "g" {\n    task "t" {\n      driver = "raw_exec"\n'
                    '      config { command = "/bin/true" }\n    }\n  }\n}\n')
    result = caravan(None, "job", "run", "-output", str(path), env=offline_env())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('{\n    "Job": {\n        "ID": "j",')
