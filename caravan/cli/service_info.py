"""`caravan service info <name>`: where each instance of a service runs."""

from __future__ import annotations

from caravan.cli.common import (
    CLIENT_OPTIONS_HELP,
    Ui,
    check_output_flags,
    client_flag_set,
    make_client,
    reported_as,
)
from caravan.cli.formatting import format_json, format_kv, format_list, limit
from caravan.errors import UsageError
from caravan.structs import ServiceRegistration

HELP = """
Usage: caravan service info [options] <service_name>

  Info shows the registrations of one service: job, address, tags, node and
  allocation of each.
""" + CLIENT_OPTIONS_HELP + """
Info Options:

  -json
    Output the service registrations in JSON format.

  -verbose
    Display full information.
"""

_SHORT_ID = 8


def address(reg: ServiceRegistration) -> str:
    if reg.port == 0:
        return reg.address
    host = f"[{reg.address}]" if ":" in reg.address else reg.address
    return f"{host}:{reg.port}"


def registrations_table(regs: list[ServiceRegistration]) -> str:
    rows = [["Job ID", "Address", "Tags", "Node ID", "Alloc ID"]]
    for reg in sorted(regs, key=lambda r: r.job_id):  # stable: a job's order is kept
        rows.append([reg.job_id, address(reg), f"[{','.join(reg.tags or [])}]",
                     limit(reg.node_id, _SHORT_ID), limit(reg.alloc_id, _SHORT_ID)])
    return format_list(rows)


def registrations_verbose(regs: list[ServiceRegistration]) -> str:
    return "\n\n".join(format_kv([
        ("ID", r.id), ("Service Name", r.service_name), ("Namespace", r.namespace),
        ("Job ID", r.job_id), ("Alloc ID", r.alloc_id), ("Node ID", r.node_id),
        ("Datacenter", r.datacenter), ("Address", f"{r.address}:{r.port}"),
        ("Tags", f"[{','.join(r.tags or [])}]")]) for r in sorted(regs, key=lambda r: r.job_id))


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("json", "verbose"):
        fs.bool_flag(name)
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <service_name>")
    with reported_as("Error listing service registrations: "):
        regs, _ = make_client(flags).services.get(flags.args[0])
    if not regs:
        ui.output("No service registrations found")
    elif as_json:
        ui.output(format_json([r.to_wire() for r in regs]))
    else:
        ui.output(registrations_verbose(regs) if flags.get_bool("verbose")
                  else registrations_table(regs))
    return 0
