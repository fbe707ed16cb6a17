"""`caravan service list`: the services registered with Nomad's own provider."""

from __future__ import annotations

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, output_flags, reported_as
from caravan.cli.formatting import format_json, format_list
from caravan.structs import ServiceRegistrationListStub

HELP = """
Usage: caravan service list [options]

  List lists the services registered with caravan (Nomad's built-in provider).
  With -namespace=* it lists the services of every namespace the token may read.
""" + CLIENT_OPTIONS_HELP + """
List Options:

  -json
    Output the services in JSON format.
"""


def services_table(listed: list[ServiceRegistrationListStub], all_namespaces: bool) -> str:
    header = ["Service Name", *(["Namespace"] if all_namespaces else []), "Tags"]
    rows = [header]
    for namespace in sorted(listed, key=lambda n: n.namespace):
        for service in sorted(namespace.services, key=lambda s: s.service_name):
            rows.append([service.service_name,
                         *([namespace.namespace] if all_namespaces else []),
                         f"[{','.join(sorted(service.tags))}]"])
    return format_list(rows)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    with reported_as("Error listing service registrations: "):
        listed, _ = make_client(flags).services.list()
    if not listed:
        ui.output("No service registrations found")
    elif as_json:
        ui.output(format_json([n.to_wire() for n in listed]))
    else:
        ui.output(services_table(listed, flags.get_str("namespace") == "*"))
    return 0
