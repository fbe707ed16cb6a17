"""The list / info / delete shape the ACL policy, ACL token and namespace commands share.

A command module keeps its `HELP` and says only what differs, e.g.:

    run = ListCommand("Error listing ACL policies: ",
                      lambda client: ACLPolicies(client).list()[0],
                      lambda policies, ui: policies_table(policies)).run

    list    no arguments; `-json` prints the objects, else the table
    info    one argument (or none, as `acl token self`); `-json` or the text layout
    delete  one argument; the success line names what was deleted

Failures of the call read `<failure><error>` (Nomad's wording for each command) and
reach `cli/main.py` like every other error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from caravan.cli.common import Ui, client_flag_set, make_client, output_flags, reported_as
from caravan.cli.formatting import format_json
from caravan.errors import UsageError
from caravan.structs.base import Struct

if TYPE_CHECKING:
    from caravan.api import Client

T = TypeVar("T", bound=Struct)

_NO_ARGUMENTS = "This command takes no arguments"


def _one_argument(name: str) -> str:
    return f"This command takes one argument: {name}"


@dataclass(frozen=True)
class ListCommand(Generic[T]):
    failure: str
    fetch: Callable[[Client], list[T]]
    table: Callable[[list[T], Ui], str]

    def run(self, args: list[str], ui: Ui | None = None) -> int:
        ui = ui or Ui()
        flags, as_json = output_flags(args, nargs=0, usage=_NO_ARGUMENTS)
        with reported_as(self.failure):
            found = self.fetch(make_client(flags))
        ui.output(format_json([o.to_wire() for o in found]) if as_json
                  else self.table(found, ui))
        return 0


@dataclass(frozen=True)
class InfoCommand(Generic[T]):
    """`argument` names the one positional argument (`<name>`); None: the command
    takes none and `fetch` gets an empty string."""

    argument: str | None
    failure: str
    fetch: Callable[[Client, str], T]
    text: Callable[[T], str]

    def run(self, args: list[str], ui: Ui | None = None) -> int:
        ui = ui or Ui()
        usage = _NO_ARGUMENTS if self.argument is None else _one_argument(self.argument)
        flags, as_json = output_flags(args, nargs=0 if self.argument is None else 1,
                                      usage=usage)
        client = make_client(flags)
        with reported_as(self.failure):
            found = self.fetch(client, flags.args[0] if flags.args else "")
        ui.output(format_json(found.to_wire()) if as_json else self.text(found))
        return 0


@dataclass(frozen=True)
class DeleteCommand:
    argument: str
    failure: str
    delete: Callable[[Client, str], None]
    deleted: Callable[[str], str]  # the success line, given the argument

    def run(self, args: list[str], ui: Ui | None = None) -> int:
        ui = ui or Ui()
        flags = client_flag_set().parse(args)
        if len(flags.args) != 1:
            raise UsageError(_one_argument(self.argument))
        with reported_as(self.failure):
            self.delete(make_client(flags), flags.args[0])
        ui.output(self.deleted(flags.args[0]))
        return 0
