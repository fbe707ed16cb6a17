"""ssl.SSLContext for the two sides of every caravan connection.

    server_context(...)   an agent serving HTTPS; with verify_https_client the caller
                          must present a certificate signed by the CA (Nomad's
                          RequireAndVerifyClientCert)
    client_context(...)   the CLI, api library and agents calling an agent: verifies the
                          peer against the CA (or the system store), presents a
                          certificate when given one

Contexts are cached by their arguments: building one reads files, and agents make
outgoing calls all the time.
"""

from __future__ import annotations

import ssl
from functools import lru_cache

from caravan.errors import InvalidInput

_MIN_VERSIONS = {"": ssl.TLSVersion.TLSv1_2, "tls12": ssl.TLSVersion.TLSv1_2,
                 "tls13": ssl.TLSVersion.TLSv1_3}


@lru_cache(maxsize=16)
def server_context(cert_file: str, key_file: str, ca_file: str = "",
                   verify_client: bool = False, min_version: str = "") -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = _MIN_VERSIONS[min_version]
    _load_chain(ctx, cert_file, key_file)
    if ca_file:
        _load_ca(ctx, ca_file, "")
    if verify_client:
        ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


@lru_cache(maxsize=16)
def client_context(ca_file: str = "", ca_path: str = "", cert_file: str = "",
                   key_file: str = "", check_hostname: bool = True,
                   insecure: bool = False) -> ssl.SSLContext:
    """`check_hostname` False still verifies the chain (Nomad's agents without
    verify_server_hostname); `insecure` verifies nothing (-tls-skip-verify)."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if insecure:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    else:
        ctx.check_hostname = check_hostname
        if ca_file or ca_path:
            _load_ca(ctx, ca_file, ca_path)
        else:
            ctx.load_default_certs()
    if cert_file or key_file:
        if not (cert_file and key_file):
            raise InvalidInput("Both client cert and client key must be provided")
        _load_chain(ctx, cert_file, key_file)
    return ctx


def _load_chain(ctx: ssl.SSLContext, cert_file: str, key_file: str) -> None:
    try:
        ctx.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as err:
        raise InvalidInput(f"Failed to load cert/key pair {cert_file}, {key_file}: {err}") \
            from None


def _load_ca(ctx: ssl.SSLContext, ca_file: str, ca_path: str) -> None:
    try:
        ctx.load_verify_locations(cafile=ca_file or None, capath=ca_path or None)
    except (OSError, ssl.SSLError) as err:
        raise InvalidInput(f"Failed to read CA file {ca_file or ca_path}: {err}") from None
