"""Repeatable flags (`-policy a -policy b`), which `FlagSet` keeps only the last of.

`take_repeated` lifts every occurrence out of the flag part of the arguments before
`FlagSet.parse` sees them. It goes away once FlagSet grows a list flag.
"""

from __future__ import annotations

from collections.abc import Iterable

from caravan.cli.errors import UsageError

# The boolean flags every client command accepts (cli/common.py); they take no value.
CLIENT_BOOL_FLAGS = frozenset({"no-color", "force-color", "insecure", "tls-skip-verify",
                               "h", "help"})


def take_repeated(args: list[str], name: str,
                  bool_flags: Iterable[str] = ()) -> tuple[list[str], list[str]]:
    """(values of every `-name`, the other arguments in order).

    Only the flag part is searched: it ends at the first positional argument or
    `--`, as in Go's flag package. `bool_flags` lists the flags that take no value.
    """
    bools = CLIENT_BOOL_FLAGS | set(bool_flags)
    values: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or len(arg) < 2 or not arg.startswith("-"):
            return values, rest + args[i:]
        flag, eq, value = arg.lstrip("-").partition("=")
        if flag == name:
            if not eq:
                if i + 1 >= len(args):
                    raise UsageError(f"flag needs an argument: -{name}")
                value = args[i + 1]
                i += 1
            values.append(value)
        else:
            rest.append(arg)
            if not eq and flag not in bools and i + 1 < len(args):
                rest.append(args[i + 1])
                i += 1
        i += 1
    return values, rest
