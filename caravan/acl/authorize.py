"""The one authorization path every HTTP route and the exec WebSocket go through.

`authorize()` checks a capability; the other checks are about ACL objects and
namespaces themselves, which no capability names (Nomad checks them the same way).
"""

from __future__ import annotations

from caravan.acl.acl import ACL
from caravan.acl.capabilities import Capability
from caravan.acl.identity import ANONYMOUS_POLICY, Caller
from caravan.errors import PermissionDenied
from caravan.structs.acl import ACLToken


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


def authorize_policy_read(caller: Caller, name: str) -> None:
    """Management tokens read any policy; others the ones they hold, and `anonymous`."""
    if name != ANONYMOUS_POLICY and not caller.holds_policy(name):
        raise PermissionDenied()


def authorize_token_read(caller: Caller, token: ACLToken | None) -> None:
    """Management tokens read any token (or learn it is missing); others only their own."""
    own = token is not None and caller.token.accessor_id == token.accessor_id
    if not (caller.acl.is_management or own):
        raise PermissionDenied()


def authorize_namespace_use(acl: ACL | None, name: str) -> None:
    """A namespace is visible to a token with any rights in it. Checked before a lookup,
    so a token cannot learn which namespaces it may not see exist."""
    if acl is not None and not acl.allow_namespace(name):
        raise PermissionDenied()


def authorize_variable(caller: Caller | None, namespace: str, path: str,
                       capability: str) -> None:
    """`variables` rules, or a task's implicit paths when `caller` is a workload identity.
    `caller` None means ACLs are disabled."""
    if caller is not None and not caller.acl.allow_variable_operation(
            namespace, path, capability, caller.claim):
        raise PermissionDenied()
