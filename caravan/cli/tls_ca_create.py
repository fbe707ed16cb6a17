"""`caravan tls ca create`: a cluster CA, as `nomad tls ca create` makes it."""

from __future__ import annotations

from pathlib import Path

from caravan.cli.common import Ui
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.flags import FlagSet

HELP = """
Usage: caravan tls ca create [options]

  Create a new certificate authority in the current directory:
  <domain>-agent-ca.pem and its key <domain>-agent-ca-key.pem (mode 0600).

CA Create Options:

  -days
    Provide number of days the CA is valid for from now on.
    Defaults to 5 years or 1825 days.

  -domain
    Domain of the cluster. Defaults to "nomad" (certificates are named
    <role>.<region>.nomad, as Nomad's are).
"""


def run(args: list[str], ui: Ui | None = None) -> int:
    from caravan.tls.certs import ca_file_names, create_ca, write_new

    ui = ui or Ui()
    fs = FlagSet()
    fs.int_flag("days", 1825)
    fs.string_flag("domain", "nomad")
    flags = fs.parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    if flags.get_int("days") <= 0:
        raise CommandFailed("-days must be a positive number of days")
    cert_name, key_name = ca_file_names(flags.get_str("domain"))
    for name, what in ((cert_name, "CA certificate file"), (key_name, "CA key file")):
        if Path(name).exists():
            raise CommandFailed(f"{what} '{name}' already exists")
    cert, key = create_ca(flags.get_int("days"))
    try:
        write_new(Path(cert_name), cert, 0o644)
        ui.output(f"==> CA certificate saved to: {cert_name}")
        write_new(Path(key_name), key, 0o600)
    except OSError as exc:
        raise CommandFailed(f"Error writing {exc.filename}: {exc.strerror}") from exc
    ui.output(f"==> CA certificate key saved to: {key_name}")
    return 0
