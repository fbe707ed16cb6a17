"""`caravan monitor`: stream the agent's own log lines (Nomad's `nomad monitor`)."""

from __future__ import annotations

from caravan.api.agent import Agent
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import UsageError

HELP = """
Usage: caravan monitor [options]

  Stream log messages of a caravan agent. The monitor command lets you
  listen for log levels that may be filtered out of the agent's own
  output; the agent logs at that level only while someone listens.
""" + CLIENT_OPTIONS_HELP + """
Monitor Specific Options:

  -log-level <level>
    Sets the log level to monitor (default: INFO): TRACE, DEBUG, INFO,
    WARN or ERROR.

  -node-id <node-id>
    Sets the specific node to monitor.

  -server-id <server-id>
    Sets the specific server to monitor.

  -json
    Sets log output to JSON format.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    flags_set = client_flag_set()
    flags_set.string_flag("log-level", "info")
    flags_set.string_flag("node-id")
    flags_set.string_flag("server-id")
    flags_set.bool_flag("json")
    flags = flags_set.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    if flags.get_str("node-id") and flags.get_str("server-id"):
        raise UsageError("Cannot target node and server simultaneously")
    ui = ui or Ui()
    with make_client(flags) as client, reported_as("Error starting monitor: "):
        lines = Agent(client).monitor(flags.get_str("log-level"),
                                      log_json=flags.get_bool("json"),
                                      node_id=flags.get_str("node-id"),
                                      server_id=flags.get_str("server-id"))
        for data in lines:
            ui.write_stdout(data)
    return 0
