"""`caravan exec replay [-speed N] <session>`: play a recorded exec session in this
terminal with its timing (output only; typed input is never replayed)."""

from __future__ import annotations

import time
from collections.abc import Callable

from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.common import reported_as
from caravan.errors import CommandFailed, UsageError
from caravan.execproto.asciicast import AsciicastError, Event, decode, event_bytes

HELP = """
Usage: caravan exec replay [options] <session>

  Plays the recording of an exec session (see 'caravan exec sessions') in the
  terminal, with the pauses it had. Recordings exist when the client that served
  the session has 'client { exec_recording { enabled = true } }'; they are
  asciicast v2 files ('asciinema play' reads what -raw prints).

  When ACLs are enabled, this command requires a token with the 'read-exec-audit'
  capability for the session's namespace.
""" + CLIENT_OPTIONS_HELP + """
Replay Options:

  -speed <factor>
    Play this many times faster (default 1; 0 plays without pauses).

  -max-wait <seconds>
    Cut any pause longer than this (default 0: no limit).

  -raw
    Print the asciicast file itself instead of playing it.
"""


def run(args: list[str], ui: Ui | None = None,
        sleep: Callable[[float], None] = time.sleep) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    fs.string_flag("speed", "1")
    fs.string_flag("max-wait", "0")
    fs.bool_flag("raw")
    flags = fs.parse(args)
    if len(flags.args) != 1:
        raise UsageError("This command takes one argument: <session>")
    speed, max_wait = _number(flags.get_str("speed"), "speed"), \
        _number(flags.get_str("max-wait"), "max-wait")
    client = make_client(flags)
    with reported_as("Error reading the recording: "):
        data = client.exec_audit.recording(flags.args[0])
    if flags.get_bool("raw"):
        ui.write_stdout(data)
        return 0
    try:
        _, events = decode(data.decode("utf-8", "surrogateescape"))
    except AsciicastError as err:
        raise CommandFailed(f"Error reading the recording: {err}") from None
    play(events, ui.write_stdout, sleep, speed, max_wait)
    return 0


def play(events: list[Event], write: Callable[[bytes], None], sleep: Callable[[float], None],
         speed: float, max_wait: float) -> None:
    """Write each output event when it is due; pauses scale by 1/`speed`."""
    last = 0.0
    for event in events:
        if event.code != "o":
            continue
        pause = event.time - last
        last = event.time
        if max_wait > 0:
            pause = min(pause, max_wait)
        if speed > 0 and pause > 0:
            sleep(pause / speed)
        write(event_bytes(event))


def _number(text: str, flag: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f'invalid value "{text}" for -{flag}: not a number') from None
    if value < 0:
        raise UsageError(f"-{flag} must not be negative")
    return value
