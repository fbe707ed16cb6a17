"""A cluster CA and role certificates, made as Nomad's `nomad tls` makes them.

    ca:    <domain>-agent-ca.pem, <domain>-agent-ca-key.pem      (P-256, 5 years)
    cert:  <region>-<role>-<domain>.pem, <region>-<role>-<domain>-key.pem  (1 year)
           CN and a DNS SAN `<role>.<region>.<domain>`, plus `localhost`; server and
           client certificates also carry the IP SAN 127.0.0.1.

Keys are written 0600, certificates 0644, each file atomically; an existing file is
never overwritten.
"""

from __future__ import annotations

import datetime
import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from caravan.errors import InvalidInput

Role = Literal["server", "client", "cli"]


def ca_file_names(domain: str = "nomad") -> tuple[str, str]:
    return f"{domain}-agent-ca.pem", f"{domain}-agent-ca-key.pem"


def cert_file_names(role: Role, region: str = "global", domain: str = "nomad") -> tuple[str, str]:
    prefix = f"{region}-{role}-{domain}"
    return f"{prefix}.pem", f"{prefix}-key.pem"


@dataclass(frozen=True)
class CertRequest:
    role: Role
    region: str = "global"
    domain: str = "nomad"
    days: int = 365
    dns_names: list[str] = field(default_factory=list)
    ip_addresses: list[str] = field(default_factory=list)

    @property
    def common_name(self) -> str:
        return f"{self.role}.{self.region}.{self.domain}"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def _serial() -> int:
    return secrets.randbits(127) + 1


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.TraditionalOpenSSL,  # "EC PRIVATE KEY"
                             serialization.NoEncryption())


def create_ca(days: int = 1825) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a new self-signed CA with Nomad's default subject."""
    key = ec.generate_private_key(ec.SECP256R1())
    serial = _serial()
    name = x509.Name([
        x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
        x509.NameAttribute(NameOID.POSTAL_CODE, "94105"),
        x509.NameAttribute(NameOID.STATE_OR_PROVINCE_NAME, "CA"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "San Francisco"),
        x509.NameAttribute(NameOID.STREET_ADDRESS, "101 Second Street"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "HashiCorp Inc."),
        x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Nomad"),
        x509.NameAttribute(NameOID.COMMON_NAME, f"Nomad Agent CA {serial}"),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    now = _now()
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(serial)
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=True, crl_sign=True,
                                         encipher_only=False, decipher_only=False),
                           critical=True)
            .add_extension(ski, critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


def create_cert(request: CertRequest, ca_pem: bytes, ca_key_pem: bytes) -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) for one role, signed by the CA."""
    try:
        ca = x509.load_pem_x509_certificate(ca_pem)
        ca_key = serialization.load_pem_private_key(ca_key_pem, password=None)
    except ValueError as err:
        raise InvalidInput(f"cannot read the CA certificate or key: {err}") from None
    if not isinstance(ca_key, ec.EllipticCurvePrivateKey):
        raise InvalidInput("the CA key must be an ECDSA key")
    key = ec.generate_private_key(ec.SECP256R1())
    ips = [*request.ip_addresses] + (["127.0.0.1"] if request.role != "cli" else [])
    sans: list[x509.GeneralName] = [x509.DNSName(d) for d in
                                    [*request.dns_names, request.common_name, "localhost"]]
    try:
        sans += [x509.IPAddress(ipaddress.ip_address(ip.strip())) for ip in ips]
    except ValueError as err:
        raise InvalidInput(f"-additional-ipaddress: {err}") from None
    now = _now()
    ca_ski = ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME,
                                                        request.common_name)]))
            .issuer_name(ca.subject).public_key(key.public_key()).serial_number(_serial())
            .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=request.days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=False,
                                         key_encipherment=True, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]),
                           critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM), _key_pem(key)


def write_new(path: Path, data: bytes, mode: int) -> None:
    """Write `path` atomically with `mode`; refuse to replace an existing file."""
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.link(tmp, path)  # fails with FileExistsError rather than replacing
    finally:
        os.unlink(tmp)
