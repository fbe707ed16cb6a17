"""`caravan tls cert create -server|-client|-cli`: a role certificate signed by the CA."""

from __future__ import annotations

import os
from pathlib import Path

from caravan.cli.common import Ui
from caravan.cli.errors import CommandFailed, UsageError
from caravan.cli.flags import FlagSet

HELP = """
Usage: caravan tls cert create [options]

  Create a new TLS certificate to use within the cluster TLS configuration.
  Use the -client, -server or -cli options to create certificates for these
  roles: <region>-<role>-<domain>.pem and <region>-<role>-<domain>-key.pem.
  Only client and server certificates let a node register; a cli certificate
  lets a person call the HTTP API.

Certificate Create Options:

  -additional-dnsname
    Provide an additional dnsname for Subject Alternative Names.
    "localhost" is always included. This flag may be provided multiple times.

  -additional-ipaddress
    Provide an additional ipaddress for Subject Alternative Names.
    "127.0.0.1" is always included (server and client). May be repeated.

  -ca
    Provide path to the certificate authority certificate. Defaults to
    #DOMAIN#-agent-ca.pem.

  -cli      Generate a certificate for use with the CLI.
  -client   Generate a client certificate.
  -server   Generate a server certificate.

  -days
    Provide number of days the certificate is valid for from now on.
    Defaults to 1 year.

  -domain
    Provide the domain. Defaults to "nomad".

  -key
    Provide path to the certificate authority key. Defaults to
    #DOMAIN#-agent-ca-key.pem.

  -region
    Provide the region. Defaults to CARAVAN_REGION / NOMAD_REGION, else "global".
"""

_KEY_WARNING = """==> WARNING: Server Certificates grants authority to become a
    server and access all state in the cluster including root keys
    and all ACL tokens. Do not distribute them to production hosts
    that are not server nodes. Store them as securely as CA keys."""


def _flagset() -> FlagSet:
    fs = FlagSet()
    for name in ("server", "client", "cli"):
        fs.bool_flag(name)
    fs.list_flag("additional-dnsname")
    fs.list_flag("additional-ipaddress")
    fs.string_flag("ca", "#DOMAIN#-agent-ca.pem")
    fs.string_flag("key", "#DOMAIN#-agent-ca-key.pem")
    fs.string_flag("domain", "nomad")
    fs.string_flag("region")
    fs.int_flag("days", 365)
    return fs


def run(args: list[str], ui: Ui | None = None) -> int:
    from caravan.tls.certs import CertRequest, Role, cert_file_names, create_cert, write_new

    ui = ui or Ui()
    flags = _flagset().parse(args)
    if flags.args:
        raise UsageError("This command takes no arguments")
    roles: list[Role] = [r for r in ("server", "client", "cli") if flags.get_bool(r)]
    if len(roles) != 1:
        raise CommandFailed("Please provide either -server, -client, or -cli")
    domain = flags.get_str("domain")
    region = flags.get_str("region") or os.environ.get("CARAVAN_REGION") \
        or os.environ.get("NOMAD_REGION") or "global"
    request = CertRequest(roles[0], region, domain, flags.get_int("days"),
                          [d.strip() for d in flags.get_list("additional-dnsname") if d.strip()],
                          [i for i in flags.get_list("additional-ipaddress") if i.strip()])
    cert_name, key_name = cert_file_names(roles[0], region, domain)
    if Path(cert_name).exists():
        raise CommandFailed(f"Certificate file '{cert_name}' already exists")
    if Path(key_name).exists():
        raise CommandFailed(f"Key file '{key_name}' already exists")
    ca_file = flags.get_str("ca").replace("#DOMAIN#", domain, 1)
    key_file = flags.get_str("key").replace("#DOMAIN#", domain, 1)
    ca_pem, ca_key = _read(ca_file, "CA"), _read(key_file, "CA key")
    if roles[0] == "server":
        ui.error(_KEY_WARNING)
    ui.output(f"==> Using CA file {ca_file} and CA key {key_file}")
    cert, key = create_cert(request, ca_pem, ca_key)
    label = {"server": "Server", "client": "Client", "cli": "Cli"}[roles[0]]
    try:
        write_new(Path(cert_name), cert, 0o644)
        ui.output(f"==> {label} Certificate saved to {cert_name}")
        write_new(Path(key_name), key, 0o600)
    except OSError as exc:
        raise CommandFailed(f"Error writing {exc.filename}: {exc.strerror}") from exc
    ui.output(f"==> {label if label != 'Cli' else 'CLI'} Certificate key saved to {key_name}")
    return 0


def _read(path: str, what: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandFailed(f"Error reading {what}: {exc.strerror}: {path}") from exc
