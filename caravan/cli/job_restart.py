"""`caravan job restart <job>`: restart (or `-reschedule`) a job's running allocations in
batches, with Nomad's flags and messages."""

from __future__ import annotations

import math
import re
import sys
import time
from dataclasses import dataclass

from caravan.api import Client, QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.flags import Flags
from caravan.cli.formatting import format_unix_nano, id_length, limit
from caravan.cli.lookup import job_id_by_prefix
from caravan.durations import parse_duration
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.structs import AllocListStub

HELP = """
Usage: caravan job restart [options] <job>

  Restart or reschedule allocations for a particular job.

  Restarting the job calls the Restart Allocation API endpoint to restart the
  tasks inside allocations, so the allocations themselves are not modified but
  rather restarted in-place. Rescheduling the job uses the Stop Allocation API
  endpoint to stop the allocations and trigger the scheduler to place them again.
""" + CLIENT_OPTIONS_HELP + """
Restart Options:

  -all-tasks
    Restart all tasks, including those that already finished.

  -batch-size=<n|n%>
    Number of allocations to restart at once (default 1), or a percentage.

  -batch-wait=<duration>
    Time to wait between batches (default 0s).

  -group=<group-name>
    Only restart allocations of the given group. May be repeated.

  -on-error=<ask|fail>
    Nomad's choice when a batch fails. caravan stops at a failed batch either
    way; "ask" (the default) needs an interactive terminal or -yes, as Nomad's.

  -reschedule
    Stop and reschedule the allocations instead of restarting them in place.

  -task=<task-name>
    Only restart the given task. May be repeated.

  -verbose
    Display full information.

  -yes
    Automatic yes to prompts.
"""

_BATCH = re.compile(r"^(\d+)%?$")


@dataclass(frozen=True)
class _Options:
    batch_size: str
    batch_wait_ns: int
    groups: frozenset[str]
    tasks: frozenset[str]
    all_tasks: bool
    reschedule: bool
    on_error: str


def _options(flags: Flags) -> _Options:
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <job>")
    size = flags.get_str("batch-size")
    match = _BATCH.match(size)
    if match is None:
        raise CommandFailed(f'Invalid -batch-size value "{size}": batch size must be an integer '
                            "or a percentage")
    if int(match.group(1)) == 0:
        raise CommandFailed(f'Invalid -batch-size value "{size}": number value must be greater '
                            "than zero")
    wait = flags.get_str("batch-wait")
    interactive = sys.stdin.isatty() or flags.get_bool("yes")
    if wait.lower() == "ask":
        raise CommandFailed('Invalid -batch-wait value "ask": caravan waits a duration between '
                            "batches; answer prompts with -on-error=ask")
    try:
        wait_ns = parse_duration(wait)
    except ValueError as err:
        raise CommandFailed(f'Invalid -batch-wait value "{wait}": {err}') from None
    on_error = flags.get_str("on-error")
    if on_error not in ("ask", "fail"):
        raise CommandFailed(f'Invalid -on-error value "{on_error}": valid options are "ask" '
                            'and "fail"')
    if on_error == "ask" and not interactive:
        raise CommandFailed('Invalid -on-error value "ask": "ask" cannot be used when terminal '
                            "is not interactive")
    tasks = frozenset(flags.get_list("task"))
    if flags.get_bool("all-tasks") and tasks:
        raise CommandFailed("The -all-tasks option cannot be used with -task")
    if flags.get_bool("reschedule") and tasks:
        raise CommandFailed("The -reschedule option cannot be used with -task")
    return _Options(size, wait_ns, frozenset(flags.get_list("group")), tasks,
                    flags.get_bool("all-tasks"), flags.get_bool("reschedule"), on_error)


class _Restart:
    def __init__(self, client: Client, ui: Ui, opts: _Options, length: int) -> None:
        self.client, self.ui, self.opts, self.length = client, ui, opts, length

    def info(self, text: str) -> None:
        self.ui.output(f"==> {format_unix_nano(self.ui.now_ns())}: {text}")

    def step(self, text: str) -> None:
        self.ui.output(f"    {format_unix_nano(self.ui.now_ns())}: {text}")

    def one(self, alloc: AllocListStub) -> None:
        short = limit(alloc.id, self.length)
        if self.opts.reschedule:
            self.step(f'Rescheduling allocation "{short}" for group "{alloc.task_group}"')
            before = {a.id for a in self._group(alloc)}
            self.client.allocations.stop(alloc.id)
            self._wait_replaced(alloc, before)
        elif self.opts.tasks:
            for task in sorted(self.opts.tasks & set((alloc.task_states or {}).keys())):
                self.step(f'Restarting task "{task}" in allocation "{short}" for group '
                          f'"{alloc.task_group}"')
                self.client.allocations.restart(alloc.id, task)
        else:
            which = "all" if self.opts.all_tasks else "running"
            self.step(f'Restarting {which} tasks in allocation "{short}" for group '
                      f'"{alloc.task_group}"')
            self.client.allocations.restart(alloc.id, all_tasks=self.opts.all_tasks)

    def _group(self, alloc: AllocListStub) -> list[AllocListStub]:
        stubs, _ = self.client.jobs.allocations(alloc.job_id)
        return [a for a in stubs if a.task_group == alloc.task_group]

    def _wait_replaced(self, alloc: AllocListStub, before: set[str],
                       timeout_s: float = 300.0) -> None:
        """Until an allocation of the group that was not there before runs."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            new = [a for a in self._group(alloc) if a.id not in before
                   and a.client_status == "running" and a.desired_status == "run"]
            if new:
                self.step(f'Allocation "{limit(alloc.id, self.length)}" replaced by '
                          f'"{limit(new[0].id, self.length)}"')
                return
            time.sleep(0.5)
        raise CommandFailed(f'Allocation "{alloc.id}" was not replaced in time')


def _eligible(allocs: list[AllocListStub], opts: _Options) -> list[AllocListStub]:
    return [a for a in allocs if a.desired_status == "run" and a.client_status == "running"
            and not a.next_allocation and (not opts.groups or a.task_group in opts.groups)
            and (not opts.tasks or opts.tasks & set((a.task_states or {}).keys()))]


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("all-tasks", "reschedule", "verbose", "yes", "no-shutdown-delay"):
        fs.bool_flag(name)
    fs.string_flag("batch-size", "1")
    fs.string_flag("batch-wait", "0s")
    fs.string_flag("on-error", "ask")
    fs.list_flag("group")
    fs.list_flag("task")
    flags = fs.parse(args)
    opts = _options(flags)
    client = make_client(flags)
    job_id, namespace = job_id_by_prefix(client, flags.args[0].strip())
    client.set_namespace(namespace or None)
    with reported_as(f'Error retrieving allocations for job "{job_id}": '):
        stubs, _ = client.jobs.allocations(job_id, all=True, q=QueryOptions(namespace=namespace))
    allocs = sorted(_eligible(stubs, opts), key=lambda a: a.create_index)
    if not allocs:
        ui.output("No allocations to restart")
        return 0
    size = int(opts.batch_size.rstrip("%"))
    if opts.batch_size.endswith("%"):
        size = max(1, math.ceil(len(allocs) * size / 100))
    restart = _Restart(client, ui, opts, id_length(flags.get_bool("verbose")))
    restart.info(f"Restarting {len(allocs)} allocation{'s' if len(allocs) != 1 else ''}")
    errors: list[str] = []
    for start in range(0, len(allocs), size):
        batch = allocs[start:start + size]
        if size > 1:
            restart.info(f"Restarting {_ordinal(start // size + 1)} batch of {len(batch)} "
                         "allocations")
        for alloc in batch:
            try:
                restart.one(alloc)
            except CaravanError as err:
                errors.append(f'Error restarting allocation "{limit(alloc.id, restart.length)}": '
                              f"{err}")
        if errors:
            restart.info("Stopping job restart due to error")
            break
        if start + size < len(allocs) and opts.batch_wait_ns:
            restart.info(f"Waiting {flags.get_str('batch-wait')} before restarting the next "
                         "batch")
            time.sleep(opts.batch_wait_ns / 1e9)
    if errors:
        restart.info("Job restart finished with errors")
        raise CommandFailed("\n" + "\n".join(errors))
    restart.info("Job restart finished")
    ui.output("\nJob restarted successfully!")
    return 0


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
