"""`caravan job dispatch [-meta k=v] [-id-prefix-template t] <job> [<input file>|-]`."""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from caravan.api import QueryOptions
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.cli.formatting import format_kv, id_length, limit
from caravan.cli.listings import job_stub_table
from caravan.cli.monitor import EvalMonitor
from caravan.errors import CommandFailed, UsageError

HELP = """
Usage: caravan job dispatch [options] <parameterized job> [input source]

  Dispatch creates an instance of a parameterized job. A data payload to the
  dispatched instance can be provided via stdin by using "-" or by specifying a
  path to a file. Metadata can be supplied by using the meta flag one or more
  times. The payload is at most 16 KiB.

  Upon successful creation, the dispatched job ID will be printed and the
  triggered evaluation will be monitored. This can be disabled by supplying the
  detach flag.
""" + CLIENT_OPTIONS_HELP + """
Dispatch Options:

  -meta <key>=<value>
    Meta takes a key/value pair separated by "=". The metadata key will be
    merged into the job's metadata. The job may define a default value for the
    key which is overridden when dispatching. The flag can be provided more than
    once to inject multiple metadata key/value pairs. Arbitrary keys are not
    allowed. The parameterized job must allow the key to be merged.

  -detach
    Return immediately instead of entering monitor mode. After job dispatch,
    the evaluation ID will be printed to the screen, which can be used to
    examine the evaluation using the eval-status command.

  -id-prefix-template
    Optional prefix template for dispatched job IDs.

  -verbose
    Display full information.
"""


def _payload(args: list[str]) -> bytes:
    if len(args) < 2:
        return b""
    try:
        return sys.stdin.buffer.read() if args[1] == "-" else Path(args[1]).read_bytes()
    except OSError as e:
        raise CommandFailed(f"Error reading input data: {e}") from None


def _meta(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep:
            raise CommandFailed(f"Error parsing meta value: {pair}")
        out[key] = value
    return out


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("detach", "verbose"):
        fs.bool_flag(name)
    fs.list_flag("meta")
    fs.string_flag("id-prefix-template")
    flags = fs.parse(args)
    if len(flags.args) not in (1, 2):
        raise UsageError("This command takes one or two argument: "
                         "<parameterized job> [input source]")
    payload, meta = _payload(flags.args), _meta(flags.get_list("meta"))
    client = make_client(flags)
    prefix = flags.args[0].strip()
    with reported_as(f'Error querying job prefix "{prefix}": '):
        stubs, _ = client.jobs.list(prefix=prefix)
    found = [s for s in stubs if s.parameterized_job and not s.parent_id]
    if not found:
        raise CommandFailed(f'No parameterized job(s) with prefix or ID "{prefix}" found')
    exact = [s for s in found if s.id == prefix]
    if len(found) > 1 and not exact:
        table = job_stub_table(found, client.namespace == "*")
        raise CommandFailed(f'Prefix "{prefix}" matched multiple jobs\n\n{table}')
    job = exact[0] if exact else found[0]
    with reported_as("Failed to dispatch job: "):
        resp = client.jobs.dispatch(job.id, base64.b64encode(payload).decode(), meta,
                                    flags.get_str("id-prefix-template"),
                                    QueryOptions(namespace=job.namespace))
    length = id_length(flags.get_bool("verbose"))
    rows: list[tuple[str, object]] = [("Dispatched Job ID", resp.dispatched_job_id)]
    if resp.eval_id:
        rows.append(("Evaluation ID", limit(resp.eval_id, length)))
    ui.output(format_kv(rows))
    if flags.get_bool("detach") or not resp.eval_id:
        return 0
    ui.output("")
    return EvalMonitor(client, ui, length).monitor(resp.eval_id)
