"""`caravan alloc exec -job <job> -all [-task T] [-group G] [-parallel N] [-prefix=false] <cmd>`:
one non-interactive command in every running allocation of a job at once.

    running allocs of the job ─▶ (alloc, task) targets ─▶ at most N sessions at a time
      each output line ─▶ `3f2a1b9c main | line` (stdout lines to stdout, stderr to stderr)
      ─▶ the summary table of exit codes (stderr) ─▶ 0 only when every command exited 0

Why the summary goes to stderr: stdout then carries nothing but the commands' own output
(prefixed), so `... -all cat /etc/hostname | sort` or `| grep` sees only data, while the
table still reaches whoever watches the terminal; the verdict is the exit status.

Lines are written whole (one write each), so lines of different allocations never mix
within a line; a last line without a newline gets one. Each session is `api.exec`'s,
with stdin closed at once and no terminal.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from caravan.api import Client, QueryOptions
from caravan.api.exec import exec_session
from caravan.cli.common import reported_as
from caravan.cli.formatting import format_list, limit
from caravan.cli.lookup import invalid_task_message, job_id_by_prefix, only_task
from caravan.errors import CaravanError, CommandFailed
from caravan.structs import Allocation

SHORT = 8


@dataclass(frozen=True)
class Target:
    alloc: Allocation
    task: str  # "" when the task could not be chosen: `problem` says why
    problem: str = ""


@dataclass
class Outcome:
    target: Target
    exit_code: int | None = None
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


class LineWriter:
    """One stream of one session: whole lines to `fd`, each after `prefix`."""

    def __init__(self, fd: int, prefix: bytes) -> None:
        self._fd = fd
        self._prefix = prefix
        self._partial = b""

    def feed(self, data: bytes) -> None:
        *lines, self._partial = (self._partial + data).split(b"\n")
        if lines:
            _write_all(self._fd, b"".join(self._prefix + line + b"\n" for line in lines))

    def flush(self) -> None:
        if self._partial:
            _write_all(self._fd, self._prefix + self._partial + b"\n")
            self._partial = b""


def targets(client: Client, job_prefix: str, group: str, task: str) -> list[Target]:
    """Every running allocation of the job (of `group` if given) and the task to run in."""
    job_id, namespace = job_id_by_prefix(client, job_prefix)
    q = QueryOptions(namespace=namespace or None)
    with reported_as("Error fetching allocations: "):
        stubs, _ = client.jobs.allocations(job_id, q=q)
        running = [s for s in stubs if s.client_status == "running"
                   and (not group or s.task_group == group)]
        allocs = [client.allocations.info(s.id, QueryOptions(namespace=s.namespace))[0]
                  for s in running]
    if not allocs:
        where = f' in task group "{group}"' if group else ""
        raise CommandFailed(f'Error fetching allocations: job "{job_id}" has no running '
                            f"allocations{where}")
    out = [_target(a, task) for a in sorted(allocs, key=lambda a: (a.name, a.id))]
    if task and all(t.problem for t in out):
        raise CommandFailed(f'No running allocation of job "{job_id}" has a task "{task}"')
    # With -task in a job of several groups, groups without that task are not targets.
    return [t for t in out if not t.problem] if task else out


def _target(alloc: Allocation, task: str) -> Target:
    if task:
        problem = invalid_task_message(alloc, task)
        return Target(alloc, "" if problem else task, problem or "")
    name, why = only_task(alloc)
    return Target(alloc, name, why or "")


async def fan_out(client: Client, chosen: Sequence[Target], command: Sequence[str],
                  user: str, parallel: int, prefix: bool) -> list[Outcome]:
    width = max(len(t.task) for t in chosen)
    gate = asyncio.Semaphore(max(1, parallel))
    outcomes = [Outcome(t) for t in chosen]
    async with asyncio.TaskGroup() as tg:
        for outcome in outcomes:
            tg.create_task(_one(client, outcome, command, user, gate,
                                _prefix(outcome.target, width) if prefix else b""))
    return outcomes


async def _one(client: Client, outcome: Outcome, command: Sequence[str], user: str,
               gate: asyncio.Semaphore, prefix: bytes) -> None:
    target = outcome.target
    if target.problem:
        outcome.error = target.problem.splitlines()[0]
        return
    writers = {"stdout": LineWriter(sys.stdout.fileno(), prefix),
               "stderr": LineWriter(sys.stderr.fileno(), prefix)}
    async with gate:
        try:
            async with exec_session(client, target.alloc.id, target.task, command, user=user,
                                    node_id=target.alloc.node_id or None) as session:
                await session.close_stdin()
                async for out in session:
                    writers[out.stream].feed(out.data)
                outcome.exit_code = session.exit_code
        except CaravanError as err:
            outcome.error = str(err) or type(err).__name__
        finally:
            for writer in writers.values():
                writer.flush()


def summary(outcomes: Sequence[Outcome]) -> str:
    rows: list[list[object]] = [["Alloc ID", "Task", "Exit Code", "Error"]]
    for o in outcomes:
        code = "" if o.exit_code is None else str(o.exit_code)
        rows.append([limit(o.target.alloc.id, SHORT), o.target.task or "-", code or "-",
                     o.error or "-"])
    return format_list(rows)


def exit_status(outcomes: Sequence[Outcome]) -> int:
    return 0 if outcomes and all(o.ok for o in outcomes) else 1


def _prefix(target: Target, width: int) -> bytes:
    return f"{limit(target.alloc.id, SHORT)} {target.task.ljust(width)} | ".encode()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def run_all(client: Client, job: str, group: str, task: str, command: Sequence[str],
            user: str, parallel: int, prefix: bool) -> int:
    chosen = targets(client, job, group, task)
    outcomes = asyncio.run(fan_out(client, chosen, command, user, parallel, prefix))
    sys.stdout.flush()
    _write_all(sys.stderr.fileno(), ("\n" + summary(outcomes) + "\n").encode())
    return exit_status(outcomes)
