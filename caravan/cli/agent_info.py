"""`caravan agent-info`: the agent's stats by section, as `nomad agent-info` prints them."""

from __future__ import annotations

from caravan.api.agent import Agent
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, make_client, output_flags, reported_as
from caravan.cli.formatting import format_json

HELP = """
Usage: caravan agent-info [options]

  Display status information about the local agent: its stats by section
  (client, nomad, raft, runtime, serf), each key and value on its own line.
""" + CLIENT_OPTIONS_HELP + """
Agent Info Options:

  -json
    Output the whole /v1/agent/self answer (config, member and stats) as JSON.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags, as_json = output_flags(args, nargs=0, usage="This command takes no arguments")
    with make_client(flags) as client, reported_as("Error querying agent info: "):
        info, _ = Agent(client).self()
    if as_json:
        ui.output(format_json(info.model_dump(mode="json", by_alias=True)))
        return 0
    for section in sorted(info.stats):
        ui.output(section)
        values = info.stats[section]
        for key in sorted(values):
            ui.output(f"  {key} = {values[key]}")
    return 0
