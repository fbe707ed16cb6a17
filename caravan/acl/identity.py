"""Who is asking: a token (anonymous when none was sent) with its compiled ACL.

Also the token-secret helpers the server and the HTTP layer share: the UUID check
Nomad applies before looking a secret up, and the hash secrets are stored under.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from caravan.acl.acl import ACL
from caravan.acl.variables import WorkloadClaim
from caravan.structs.acl import ACLToken

ANONYMOUS_POLICY = "anonymous"
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
                   r"[0-9a-fA-F]{12}$")


def is_uuid(text: str) -> bool:
    """Nomad looks up only UUID-shaped secrets as ACL tokens."""
    return bool(_UUID.match(text))


def hash_secret(secret: str) -> str:
    """What a token secret is stored as (SHA-256 hex); secrets are random UUIDs."""
    return hashlib.sha256(secret.encode()).hexdigest()


def anonymous_token() -> ACLToken:
    """The token of a request without one: its rights come from the `anonymous` policy."""
    return ACLToken(accessor_id="anonymous", name="Anonymous Token", type="client",
                    policies=[ANONYMOUS_POLICY])


@dataclass(frozen=True)
class Caller:
    """A resolved request identity. `secret` is what the caller presented."""

    token: ACLToken
    acl: ACL
    secret: str = field(default="", repr=False)
    # Set when the secret is a workload identity: the task it stands for.
    claim: WorkloadClaim | None = None

    def holds_policy(self, name: str) -> bool:
        return self.acl.is_management or name in (self.token.policies or [])
