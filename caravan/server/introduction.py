"""Client introduction (Nomad 1.11): signed tokens that let a new node register.

    create(name, pool, ttl) -> JWT     `PUT /v1/acl/identity/client-introduction-token`
    admit(node, token)                 first registration of a node ID: allowed or
                                       PermissionDenied, by `client_introduction.enforcement`

A token is an EdDSA-signed JWT with Nomad's claims (`nomad_node_pool`,
`nomad_node_name`, `sub = node-introduction:<region>:<pool>:<name>:default`,
`aud = nomadproject.io`, `iat`/`nbf`/`exp`). As in Nomad it may introduce any node
whose pool (and name, when the token names one) match, until it expires.

    enforcement   no token                 bad/expired/forged token or claims mismatch
    none          allowed                  allowed (nothing is checked)
    warn          allowed, logged (WARN)   refused, logged (ERROR)
    strict        refused, logged (ERROR)  refused, logged (ERROR)

The signing key is made once in `<data_dir>/server/keyring/intro-ed25519.pem` (0600);
servers on etcd share one kept in etcd instead (cluster/shared_keys.py).
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from caravan.config.tls import ClientIntroductionConfig
from caravan.errors import PermissionDenied
from caravan.structs import Node

log = logging.getLogger(__name__)

AUDIENCE = "nomadproject.io"
_ALGORITHM = "EdDSA"
KEY_FILE = "intro-ed25519.pem"


def load_or_create_key(keyring: Path | None) -> Ed25519PrivateKey:
    """The server's signing key; a memory-only one without a data dir (tests)."""
    if keyring is None:
        return Ed25519PrivateKey.generate()
    keyring.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keyring / KEY_FILE
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except FileNotFoundError:
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 key")
    return key


class Introductions:
    def __init__(self, config: ClientIntroductionConfig, region: str,
                 key: Ed25519PrivateKey) -> None:
        self.config = config
        self._region = region
        self._key = key
        self._kid = uuid.uuid5(uuid.NAMESPACE_OID, key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw).hex()).hex

    def ttl_s(self, requested_s: float) -> float:
        """Nomad's rule: none asked -> the default; above the maximum -> the maximum."""
        if requested_s <= 0:
            return self.config.default_identity_ttl
        if requested_s > self.config.max_identity_ttl:
            log.warning("node introduction identity TTL request exceeds server maximum, "
                        "using server maximum (requested %ss, max %ss)",
                        requested_s, self.config.max_identity_ttl)
            return self.config.max_identity_ttl
        return requested_s

    def create(self, node_name: str, node_pool: str, ttl_s: float) -> str:
        pool = node_pool or "default"
        now = int(time.time())
        claims = {
            "nomad_node_pool": pool, "nomad_node_name": node_name,
            "jti": str(uuid.uuid4()), "iat": now, "nbf": now,
            "exp": now + int(self.ttl_s(ttl_s)), "aud": [AUDIENCE],
            "sub": f"node-introduction:{self._region}:{pool}:{node_name}:default",
        }
        return jwt.encode(claims, self._key, algorithm=_ALGORITHM, headers={"kid": self._kid})

    def admit(self, node: Node, token: str) -> None:
        """Raise PermissionDenied unless a node never seen before may register."""
        enforcement = self.config.enforcement
        if enforcement == "none":
            return
        fields = f"node_id={node.id} node_pool={node.node_pool} node_name={node.name}"
        if not token:
            message = "node registration without introduction token"
            if enforcement == "warn":
                log.warning("%s: enforcement_level=warn %s", message, fields)
                return
            log.error("%s: enforcement_level=%s %s", message, enforcement, fields)
            raise PermissionDenied()
        try:
            claims = self._verify(token)
        except jwt.PyJWTError as err:
            log.error("node registration introduction authentication failure: "
                      "enforcement_level=%s %s error=%s", enforcement, fields, err)
            raise PermissionDenied() from None
        name = str(claims.get("nomad_node_name") or "")
        if claims.get("nomad_node_pool") != node.node_pool or (name and name != node.name):
            log.error("node registration introduction claims mismatch: enforcement_level=%s "
                      "%s claim_node_pool=%s claim_node_name=%s", enforcement, fields,
                      claims.get("nomad_node_pool"), name)
            raise PermissionDenied()

    def _verify(self, token: str) -> dict[str, object]:
        claims: dict[str, object] = jwt.decode(
            token, self._key.public_key(), algorithms=[_ALGORITHM], audience=AUDIENCE,
            options={"require": ["exp", "nbf", "iat", "sub"]})
        if not str(claims.get("sub", "")).startswith("node-introduction:"):
            raise jwt.InvalidTokenError("not a node introduction token")
        return claims
