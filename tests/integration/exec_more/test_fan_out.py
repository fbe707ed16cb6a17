"""`caravan alloc exec -job J -all`: one command in every running allocation (issue 13 part 5)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.exec_more.conftest import Fleet, cli

pytestmark = pytest.mark.integration

_ROW = re.compile(r"^([0-9a-f]{8})\s+(\S+)\s+(\S+)\s+(.*)$")


def _index(alloc: dict[str, object]) -> int:
    return int(str(alloc["Name"]).rsplit("[", 1)[1].rstrip("]"))


def _summary(stderr: str) -> dict[str, tuple[str, str, str]]:
    """short alloc ID -> (task, exit code, error), from the table after the blank line."""
    table = ("\n" + stderr).rsplit("\n\n", 1)[1].splitlines()
    assert table[0].split() == ["Alloc", "ID", "Task", "Exit", "Code", "Error"], stderr
    rows = {}
    for line in table[1:]:
        found = _ROW.match(line)
        assert found, line
        rows[found[1]] = (found[2], found[3], found[4])
    return rows


def test_fan_out_over_five_allocations_with_one_failing(fleet: Fleet) -> None:
    failing = next(a for a in fleet.fleet if _index(a) == 3)
    script = ('echo "out $NOMAD_ALLOC_ID"; echo "err $NOMAD_ALLOC_INDEX" >&2; '
              'printf "no newline"; [ "$NOMAD_ALLOC_INDEX" != 3 ] || exit 7')
    done = cli(fleet.agent, "alloc", "exec", "-job", "-all", "fleet", "/bin/sh", "-c", script)
    assert done.returncode == 1, done.stderr
    ids = {a["ID"] for a in fleet.fleet}
    outs = [line for line in done.stdout.splitlines() if " | out " in line]
    assert len(outs) == 5 and len(done.stdout.splitlines()) == 10, done.stdout
    for line in outs:
        prefix, _, rest = line.partition(" | ")
        short, task = prefix.split()
        full = rest.removeprefix("out ")
        assert full in ids and full.startswith(short) and task == "main", line
    # A last line without a newline still comes out whole, with its prefix.
    assert sum(line.endswith(" | no newline") for line in done.stdout.splitlines()) == 5
    # stderr lines are prefixed too, and the table of exit codes follows them (stderr only).
    errs = [line for line in done.stderr.splitlines() if " | err " in line]
    assert sorted(line.rsplit(" ", 1)[1] for line in errs) == ["0", "1", "2", "3", "4"]
    rows = _summary(done.stderr)
    assert set(rows) == {i[:8] for i in ids}
    assert rows[failing["ID"][:8]] == ("main", "7", "-")
    assert sorted(code for _, code, _ in rows.values()) == ["0", "0", "0", "0", "7"]
    assert "Exit Code" not in done.stdout


def test_fan_out_exits_zero_when_every_command_succeeds_and_prefix_can_be_turned_off(
        fleet: Fleet) -> None:
    done = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-prefix=false", "fleet",
               "/bin/sh", "-c", 'echo "$NOMAD_ALLOC_ID"')
    assert done.returncode == 0, done.stderr
    assert sorted(done.stdout.splitlines()) == sorted(a["ID"] for a in fleet.fleet)
    assert all(code == "0" for _, code, _ in _summary(done.stderr).values())


def test_parallel_bounds_how_many_sessions_run_at_once(fleet: Fleet, tmp_path: Path) -> None:
    """With -parallel 1 no two commands overlap: each takes a lock dir on the host (raw_exec)
    and holds it a moment; an overlapping one would fail to take it and exit 9."""
    lock = tmp_path / "lock"
    script = f"mkdir {lock} || exit 9; sleep 0.3; rmdir {lock}"
    done = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-parallel", "1", "fleet",
               "/bin/sh", "-c", script)
    assert done.returncode == 0, done.stderr
    assert len(_summary(done.stderr)) == 5


def test_all_refuses_what_a_fan_out_cannot_do(fleet: Fleet) -> None:
    tty = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-t", "fleet", "id")
    assert tty.returncode == 1 and tty.stderr.startswith("-t cannot be used with -all"), tty
    stdin = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-i", "fleet", "id")
    assert stdin.returncode == 1 and "-i cannot be used with -all" in stdin.stderr, stdin
    no_job = cli(fleet.agent, "alloc", "exec", "-all", fleet.fleet[0]["ID"], "id")
    assert no_job.returncode == 1 and no_job.stderr.startswith("-all requires -job"), no_job
    no_task = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-task", "nope", "fleet", "id")
    assert no_task.returncode == 1 and 'has a task "nope"' in no_task.stderr, no_task
    parallel = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-parallel", "0", "fleet", "id")
    assert parallel.returncode == 1 and "-parallel must be at least 1" in parallel.stderr


def test_fan_out_into_an_exec_task_as_another_user(fleet: Fleet) -> None:
    """-all composes with -u: the session runs inside the exec task's container as daemon."""
    done = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-u", "daemon", "iso", "id", "-un")
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{fleet.iso['ID'][:8]} main | daemon\n"
    refused = cli(fleet.agent, "alloc", "exec", "-job", "-all", "-u", "root", "iso", "id")
    assert refused.returncode == 1 and refused.stdout == ""
    assert "allow_exec_users" in _summary(refused.stderr)[fleet.iso["ID"][:8]][2]
