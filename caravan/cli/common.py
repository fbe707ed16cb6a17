"""What every command shares: the client flags (-address, -token, ...), building the
API client from them, and the Ui that writes to stdout and stderr."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TextIO

from caravan.cli.flags import Flags, FlagSet
from caravan.clock import Clock, SystemClock
from caravan.errors import CaravanError, CommandFailed, UsageError

if TYPE_CHECKING:
    from caravan.api import Client
    from caravan.api.tls import TLSConfig

_CLIENT_STRING_FLAGS = ("address", "region", "namespace", "token", "ca-cert", "ca-path",
                        "client-cert", "client-key", "tls-server-name")
_CLIENT_BOOL_FLAGS = ("no-color", "force-color", "insecure", "tls-skip-verify")

CLIENT_OPTIONS_HELP = """
General Options:

  -address=<addr>
    The address of the agent. Overrides the CARAVAN_ADDR (or NOMAD_ADDR)
    environment variable if set. Default = http://127.0.0.1:4646

  -region=<region>
    The region of the servers to forward commands to.

  -namespace=<namespace>
    The target namespace for queries and actions bound to a namespace.
    Overrides the CARAVAN_NAMESPACE (or NOMAD_NAMESPACE) environment variable.

  -token=<token>
    The SecretID of an ACL token to use to authenticate API requests with.
    Overrides the CARAVAN_TOKEN (or NOMAD_TOKEN) environment variable if set.

  -ca-cert=<path>
    Path to a PEM encoded CA cert file to verify the agent's certificate with.
    Overrides CARAVAN_CACERT (or NOMAD_CACERT).

  -ca-path=<path>
    Path to a directory of PEM encoded CA cert files. -ca-cert wins when both are
    given. Overrides CARAVAN_CAPATH (or NOMAD_CAPATH).

  -client-cert=<path>
    Path to a PEM encoded client certificate for TLS authentication to the agent.
    Must also specify -client-key. Overrides CARAVAN_CLIENT_CERT (or NOMAD_CLIENT_CERT).

  -client-key=<path>
    Path to an unencrypted PEM encoded private key matching -client-cert.
    Overrides CARAVAN_CLIENT_KEY (or NOMAD_CLIENT_KEY).

  -tls-server-name=<value>
    The server name to use as the SNI host and to verify when connecting via TLS.
    Overrides CARAVAN_TLS_SERVER_NAME (or NOMAD_TLS_SERVER_NAME).

  -tls-skip-verify
    Do not verify the agent's TLS certificate. Highly not recommended. Also
    skipped if CARAVAN_SKIP_VERIFY (or NOMAD_SKIP_VERIFY) is set.
"""


def client_flag_set() -> FlagSet:
    """A FlagSet with the flags every command that talks to an agent accepts.

    Colour flags are accepted for compatibility with Nomad scripts; caravan prints
    no colour.
    """
    flags = FlagSet()
    for name in _CLIENT_STRING_FLAGS:
        flags.string_flag(name)
    for name in _CLIENT_BOOL_FLAGS:
        flags.bool_flag(name)
    return flags


def check_output_flags(flags: Flags) -> bool:
    """Validate `-json`/`-t`; True when JSON output was asked for.

    Go templates (`-t`) are not implemented: asking for one is an error, not a
    silently different output.
    """
    as_json = flags.get_bool("json")
    if flags.get_str("t"):
        if as_json:
            raise CommandFailed("Both json and template formatting are not allowed")
        raise CommandFailed("Template formatting (-t) is not supported by caravan; use -json")
    return as_json


def output_flags(args: list[str], *, nargs: int, usage: str) -> tuple[Flags, bool]:
    """The client flags plus `-json`/`-t` of a command that shows something, checked to
    leave exactly `nargs` positional arguments (`usage` is the error otherwise).
    Returns the flags and whether JSON output was asked for."""
    fs = client_flag_set()
    fs.bool_flag("json")
    fs.string_flag("t")
    flags = fs.parse(args)
    as_json = check_output_flags(flags)
    if len(flags.args) != nargs:
        raise UsageError(usage)
    return flags, as_json


@contextmanager
def reported_as(prefix: str | Callable[[], str]) -> Iterator[None]:
    """Name what the command is doing: an error raised inside the block reaches
    `cli/main.py` as CommandFailed(`prefix` + the error), as Nomad's commands word it
    (`Error querying jobs: ...`). A callable prefix is asked when the error happens. A
    CommandFailed (a finished message) passes as it is."""
    try:
        yield
    except CommandFailed:
        raise
    except CaravanError as exc:
        raise CommandFailed(f"{prefix if isinstance(prefix, str) else prefix()}{exc}") from exc


def make_client(flags: Flags) -> Client:
    from caravan.api import Client  # httpx and friends load only for commands that talk

    return Client(
        address=flags.get_str("address") or None,
        token=flags.get_str("token") or None,
        namespace=flags.get_str("namespace") or None,
        region=flags.get_str("region") or None,
        tls=tls_config(flags),
    )


def tls_config(flags: Flags) -> TLSConfig:
    """TLS settings: the environment's, overridden by the -ca-cert ... flags."""
    import os

    from caravan.api.tls import TLSConfig

    tls = TLSConfig.from_env(os.environ)
    overrides: dict[str, str | bool] = {
        field: flags.get_str(flag) for flag, field in _TLS_FLAGS.items() if flags.get_str(flag)}
    if flags.get_bool("tls-skip-verify") or flags.get_bool("insecure"):
        overrides["insecure"] = True
    if "ca_cert" in overrides:
        overrides["ca_path"] = ""  # -ca-cert wins over any CA directory
    return replace(tls, **overrides)  # type: ignore[arg-type]


_TLS_FLAGS = {"ca-cert": "ca_cert", "ca-path": "ca_path", "client-cert": "client_cert",
              "client-key": "client_key", "tls-server-name": "tls_server_name"}


@dataclass
class Ui:
    """Output for one command run: results to stdout, problems to stderr."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    clock: Clock = field(default_factory=SystemClock)

    def output(self, text: str = "") -> None:
        print(text, file=self.stdout, flush=True)

    def error(self, text: str) -> None:
        print(text, file=self.stderr, flush=True)

    def write_stdout(self, data: bytes) -> None:
        self._write(self.stdout, data)

    def write_stderr(self, data: bytes) -> None:
        self._write(self.stderr, data)

    def now_ns(self) -> int:
        return self.clock.now_ns()

    @staticmethod
    def _write(stream: TextIO, data: bytes) -> None:
        buffer = getattr(stream, "buffer", None)
        if buffer is not None:
            stream.flush()
            buffer.write(data)
            buffer.flush()
        else:  # a text-only stream (tests): decode what we can
            stream.write(data.decode("utf-8", errors="replace"))
            stream.flush()
