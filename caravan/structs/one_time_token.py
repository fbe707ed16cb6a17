"""One-time tokens (`caravan ui -authenticate`), in Nomad's JSON shapes.

    PUT /v1/acl/token/onetime           -> {"OneTimeToken": OneTimeToken}
    PUT /v1/acl/token/onetime/exchange  {"OneTimeSecretID": ...} -> {"Token": ACLToken}

`ExpiresAt` is a Go `time.Time` (RFC 3339 with nanoseconds). What the state store keeps
is `StoredOneTimeToken`: no secret of either token in the clear (see
server/one_time_tokens.py).
"""

from __future__ import annotations

from caravan.structs.acl import ACLToken
from caravan.structs.base import Struct


class OneTimeToken(Struct):
    one_time_secret_id: str = ""
    accessor_id: str = ""
    expires_at: str = ""
    create_index: int = 0
    modify_index: int = 0


class OneTimeTokenUpsertResponse(Struct):
    one_time_token: OneTimeToken


class OneTimeTokenExchangeRequest(Struct):
    one_time_secret_id: str = ""


class OneTimeTokenExchangeResponse(Struct):
    token: ACLToken


class StoredOneTimeToken(Struct):
    """A row, keyed by the SHA-256 of the one-time secret. `sealed_secret` is the ACL
    token's secret encrypted under a key only the one-time secret gives (base64)."""

    accessor_id: str = ""
    expires_at_ns: int = 0
    sealed_secret: str = ""
    create_index: int = 0
    modify_index: int = 0
