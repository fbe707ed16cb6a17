"""`caravan server members`: the servers of the cluster, with Nomad's columns."""

from __future__ import annotations

from caravan.api.agent import Agent
from caravan.api.client import Client
from caravan.api.models import AgentMember
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui
from caravan.cli.formatting import format_list
from caravan.cli.object_commands import ListCommand

HELP = """
Usage: caravan server members [options]

  Display a list of the known servers and their status. Only servers are
  listed; clients are shown by `caravan node status`.
""" + CLIENT_OPTIONS_HELP + """
Server Members Options:

  -json
    Output the members in a JSON format.
"""


def _servers(client: Client) -> list[AgentMember]:
    members = Agent(client).members()[0].members
    return [m for m in members if (m.tags or {}).get("role") == "nomad"]


def members_table(members: list[AgentMember], _: Ui) -> str:
    rows = [["Name", "Address", "Port", "Status", "Leader", "Raft Version", "Build",
             "Datacenter", "Region"]]
    for m in sorted(members, key=lambda m: m.name):
        tags = m.tags or {}
        rows.append([m.name, m.addr, str(m.port), m.status, tags.get("leader", "false"),
                     tags.get("raft_vsn", "3"), tags.get("build", ""), tags.get("dc", ""),
                     tags.get("region", "")])
    return format_list(rows)


run = ListCommand("Error querying servers: ", _servers, members_table).run
