"""The exceptions commands raise; `cli/main.py` maps each to its output and exit code.

    CliError
     ├── UsageError      bad flags or arguments: message + help hint, exit 1
     ├── HelpRequested   `-h`/`-help`: the command's help on stdout, exit 0
     └── CommandFailed   a failure with a finished message (exit 1, or the code given)

API errors (`caravan.api.APIError`, ...) that a command does not wrap reach main too,
which prints `Error: <err>` and exits 1.
"""

from __future__ import annotations


class CliError(Exception):
    def __init__(self, message: str = "") -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(CliError):
    """The command line was wrong; main adds `For additional help try ...`."""


class HelpRequested(CliError):
    pass


class CommandFailed(CliError):
    """The command failed; `message` is printed to stderr as is."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code
