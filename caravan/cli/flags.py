"""Go-style flag parsing, as Nomad's commands see their arguments.

- `-name` and `--name` are the same flag; values are `-name=value` or `-name value`.
- Boolean flags take no separate value: `-detach`, `-detach=true`, `-i=false`
  (values as Go's strconv.ParseBool reads them).
- Parsing stops at the first positional argument (or after `--`): everything after it
  is returned untouched, so `alloc exec <id> ls -la` keeps `-la` for the command.
- `-h` / `-help` raise HelpRequested unless the command defines them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from caravan.errors import UsageError

Value = bool | str | int | list[str]



class HelpRequested(Exception):  # noqa: N818 (a request, not an error)
    """`-h`/`-help` on a command that does not define them: `cli/main.py` prints the
    command's help on stdout and exits 0. Not a CaravanError: nothing went wrong."""


_TRUE = ("1", "t", "T", "TRUE", "true", "True")
_FALSE = ("0", "f", "F", "FALSE", "false", "False")


def parse_go_bool(text: str) -> bool:
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(text)


def _parse_go_int(text: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        return int(text, 10)  # "010": Go reads octal, we accept it as decimal


@dataclass(frozen=True)
class Flags:
    """The parsed values (defaults included) and the remaining positional arguments."""

    values: dict[str, Value]
    args: list[str]
    given: frozenset[str]

    def get_bool(self, name: str) -> bool:
        value = self.values[name]
        assert isinstance(value, bool), name
        return value

    def get_str(self, name: str) -> str:
        value = self.values[name]
        assert isinstance(value, str), name
        return value

    def get_int(self, name: str) -> int:
        value = self.values[name]
        assert isinstance(value, int) and not isinstance(value, bool), name
        return value

    def get_list(self, name: str) -> list[str]:
        value = self.values[name]
        assert isinstance(value, list), name
        return value

    def was_given(self, name: str) -> bool:
        return name in self.given


class FlagSet:
    """The flags one command accepts. Declare, then `parse(args)`."""

    def __init__(self) -> None:
        self._defaults: dict[str, Value] = {}

    def bool_flag(self, name: str, default: bool = False) -> None:
        self._defaults[name] = default

    def string_flag(self, name: str, default: str = "") -> None:
        self._defaults[name] = default

    def int_flag(self, name: str, default: int = 0) -> None:
        self._defaults[name] = default

    def list_flag(self, name: str) -> None:
        """A repeatable string flag: `-policy a -policy b` gives ["a", "b"]."""
        self._defaults[name] = []

    def parse(self, argv: Sequence[str]) -> Flags:
        values = dict(self._defaults)
        given: set[str] = set()
        args = list(argv)
        while args:
            arg = args[0]
            if len(arg) < 2 or not arg.startswith("-"):
                break
            args.pop(0)
            if arg == "--":
                break
            name, value = self._split(arg)
            parsed = self._value(name, value, args)
            current = values[name]
            values[name] = [*current, str(parsed)] if isinstance(current, list) else parsed
            given.add(name)
        return Flags(values, args, frozenset(given))

    def _split(self, arg: str) -> tuple[str, str | None]:
        body = arg[2:] if arg.startswith("--") else arg[1:]
        if not body or body[0] in "-=":
            raise UsageError(f"bad flag syntax: {arg}")
        name, eq, value = body.partition("=")
        if name not in self._defaults:
            if name in ("h", "help"):
                raise HelpRequested()
            raise UsageError(f"flag provided but not defined: -{name}")
        return name, (value if eq else None)

    def _value(self, name: str, value: str | None, rest: list[str]) -> Value:
        default = self._defaults[name]
        if isinstance(default, bool):
            if value is None:
                return True
            try:
                return parse_go_bool(value)
            except ValueError:
                raise UsageError(
                    f'invalid boolean value "{value}" for -{name}: parse error') from None
        if value is None:
            if not rest:
                raise UsageError(f"flag needs an argument: -{name}")
            value = rest.pop(0)
        if isinstance(default, int) and not isinstance(default, list):
            try:
                return _parse_go_int(value)
            except ValueError:
                raise UsageError(
                    f'invalid value "{value}" for flag -{name}: parse error') from None
        return value
