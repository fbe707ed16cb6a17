"""`caravan exec sessions [-job J] [-alloc A] [-token ACCESSOR] [-verbose] [-json]`: the
exec session audit as a table, newest first (needs `read-exec-audit`)."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, check_output_flags, client_flag_set
from caravan.cli.common import make_client, reported_as
from caravan.cli.formatting import format_json, format_list, format_unix_nano, go_duration
from caravan.cli.formatting import id_length, limit
from caravan.errors import UsageError
from caravan.structs.exec_audit import ExecSession

HELP = """
Usage: caravan exec sessions [options]

  Lists the audit records of exec sessions (alloc exec, and every other kind of
  session into a task): who ran what, where, when, and how it ended. A session
  whose terminal was recorded can be played with 'caravan exec replay <session>'.

  When ACLs are enabled, this command requires a token with the 'read-exec-audit'
  capability for the namespace ('-namespace=*' lists every namespace it may audit).
""" + CLIENT_OPTIONS_HELP + """
Sessions Options:

  -job <job-id>
    Only sessions into allocations of this job.

  -alloc <alloc-id>
    Only sessions into this allocation (an ID or a prefix of one).

  -token <accessor-id>
    Only sessions opened with this ACL token.

  -verbose
    Show full IDs and the whole command.

  -json
    Output the records in their JSON format.
"""

HEADER = ["ID", "Started", "Duration", "Kind", "Job", "Alloc", "Task", "Token", "Command",
          "Exit", "Recorded"]


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("job", "alloc", "t"):
        fs.string_flag(name)
    fs.string_flag("token-accessor")
    fs.bool_flag("verbose")
    fs.bool_flag("json")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if flags.args:
        raise UsageError("This command takes no arguments")
    client = make_client(flags)
    with reported_as("Error querying exec sessions: "):
        records, _ = client.exec_audit.sessions(job=flags.get_str("job"),
                                                alloc=flags.get_str("alloc"),
                                                token=flags.get_str("token-accessor"))
    if as_json:
        ui.output(format_json([r.to_wire() for r in records]))
    elif not records:
        ui.output("No exec sessions")
    else:
        verbose = flags.get_bool("verbose")
        ui.output(format_list([HEADER, *(_row(r, verbose) for r in records)]))
    return 0


def _row(r: ExecSession, verbose: bool) -> list[str]:
    width = id_length(verbose)
    command = _printable(" ".join(r.command))
    return [r.id[:width], format_unix_nano(r.start_time),
            go_duration(_round_ms(r.end_time - r.start_time)) if r.ended() else "running",
            r.kind + (f" -u {r.user}" if r.user else "") + (" (tty)" if r.tty else ""),
            r.job_id, r.alloc_id[:width], r.task,
            _printable(r.token_name) or r.accessor_id[:width],
            command if verbose else limit(command, 40), _exit(r),
            "yes" if r.recorded else "no"]


def _exit(r: ExecSession) -> str:
    if r.exit_code is not None:
        return str(r.exit_code)
    return limit(_printable(r.error), 40) if r.error else "-"


def _printable(text: str) -> str:
    """Commands are whatever a caller sent: their control characters (a newline, an
    escape sequence meant for the auditor's terminal) are shown escaped, not obeyed."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode()
                   for c in text)


def _round_ms(ns: int) -> int:
    return max(0, ns) // 1_000_000 * 1_000_000
