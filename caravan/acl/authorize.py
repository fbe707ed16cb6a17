"""The one authorization check every HTTP route and the exec WebSocket go through."""

from __future__ import annotations

from caravan.acl.acl import ACL
from caravan.acl.capabilities import Capability
from caravan.errors import PermissionDenied


def authorize(acl: ACL | None, capability: Capability | tuple[Capability, ...],
              namespace: str | None = None) -> None:
    """Raise PermissionDenied unless `acl` grants `capability` (any one of a tuple).

    `acl` None means ACLs are disabled: everything is allowed, as in Nomad.
    `namespace` matters only for namespace capabilities; None means `default`, and
    `*` means "in any namespace" (list endpoints then filter per object).
    """
    if acl is None:
        return
    wanted = capability if isinstance(capability, tuple) else (capability,)
    if not any(acl.allows(c, namespace) for c in wanted):
        raise PermissionDenied()
