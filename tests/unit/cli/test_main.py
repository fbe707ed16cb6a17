"""Command resolution and the one place errors become exit codes."""

from __future__ import annotations

import importlib

import pytest

from caravan.cli import main


@pytest.mark.parametrize("argv, name, rest", [
    (["job", "run", "-detach", "x.hcl"], "job run", ["-detach", "x.hcl"]),
    (["run", "x.hcl"], "job run", ["x.hcl"]),
    (["logs", "-f", "ab"], "alloc logs", ["-f", "ab"]),
    (["status"], "status", []),
    (["status", "run"], "status", ["run"]),
    (["job"], None, []),
    (["nope", "x"], None, ["x"]),
    (["exec", "sessions", "-job", "web"], "exec sessions", ["-job", "web"]),
    (["exec", "replay", "ab12"], "exec replay", ["ab12"]),
    (["exec", "ab12", "/bin/sh"], "alloc exec", ["ab12", "/bin/sh"]),
])
def test_resolve(argv: list[str], name: str | None, rest: list[str]) -> None:
    assert main.resolve(argv) == (name, rest)


def test_every_command_module_exists_and_runs() -> None:
    for name, (module, synopsis) in main.COMMANDS.items():
        if name == "agent":
            continue  # the agent's module is the lead's; it is checked end to end
        assert callable(importlib.import_module(module).run), name
        assert synopsis


def test_usage_error_adds_the_help_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["job", "status", "-bogus"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == ["flag provided but not defined: -bogus",
                   "For additional help try 'caravan job status -help'"]


def test_help_goes_to_stdout_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["alloc", "logs", "-help"]) == 0
    assert capsys.readouterr().out.startswith("Usage: caravan alloc logs")


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["-version"]) == 0
    assert capsys.readouterr().out.startswith("Caravan v")


def test_unknown_command_and_bare_noun(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["nope"]) == 127
    assert "Usage: caravan" in capsys.readouterr().err
    assert main.main(["alloc"]) == 1
    assert "Subcommands:" in capsys.readouterr().err
    assert main.main(["alloc", "-help"]) == 0
    assert "    logs" in capsys.readouterr().out


def test_argument_count_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["alloc", "logs"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "An allocation ID is required", "For additional help try 'caravan alloc logs -help'"]
    assert main.main(["alloc", "logs", "a", "b", "c"]) == 1
    assert "This command takes one or two arguments" in capsys.readouterr().err


def test_one_character_alloc_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["alloc", "stop", "a"]) == 1
    assert capsys.readouterr().err.strip() == "Alloc ID must contain at least two characters."
    assert main.main(["alloc", "status", "a"]) == 1
    assert capsys.readouterr().err.strip() == "Identifier must contain at least two characters."
