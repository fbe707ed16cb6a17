"""`caravan version`: print the version."""

from __future__ import annotations

from caravan import __version__
from caravan.cli.common import Ui
from caravan.cli.flags import FlagSet
from caravan.errors import UsageError

HELP = """
Usage: caravan version

  Prints the caravan version.
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    flags = FlagSet().parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    (ui or Ui()).output(f"Caravan v{__version__}")
    return 0
