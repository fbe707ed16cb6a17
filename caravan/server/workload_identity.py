"""Workload identities: a task's signed JWT, and turning one back into a caller.

    sign(alloc, task)    -> JWT    for the node that runs `alloc` (it asks per task)
    resolve(token)       -> Caller  what the token may do: the task's implicit access

A token carries Nomad's claims:

    nomad_namespace, nomad_job_id, nomad_allocation_id, nomad_task,
    sub = "<region>:<namespace>:<job>:<group>:<task>:<identity name>",
    aud (the identity's `aud`, default ["nomadproject.io"]), iat, nbf, jti,
    exp (only with a `ttl`)

signed RS256 with the keyring's active key (`kid` in the header, public keys at
`/.well-known/jwks.json`). Resolving checks the signature, `exp`, that the audience
holds `nomadproject.io` (a token minted for someone else is no Nomad credential),
and that the allocation still exists, is not finished on its client and matches the
claims: a token outlives neither its allocation nor a purge of it.
"""

from __future__ import annotations

import uuid

import jwt

from caravan.acl import ACL
from caravan.acl.identity import Caller, is_uuid
from caravan.acl.variables import WorkloadClaim
from caravan.errors import InvalidInput, PermissionDenied
from caravan.server.core import ServerCore
from caravan.server.keyring import Keyring
from caravan.structs import Allocation, Task, WorkloadIdentity
from caravan.structs.acl import ACLToken

NOMAD_AUDIENCE = "nomadproject.io"
DEFAULT_IDENTITY = "default"


def looks_like_jwt(secret: str) -> bool:
    """ACL secrets are UUIDs; a workload identity is `header.claims.signature`."""
    return secret.count(".") == 2 and not is_uuid(secret)


class WorkloadIdentities:
    def __init__(self, core: ServerCore, keyring: Keyring) -> None:
        self._core = core
        self._keyring = keyring
        self._no_rules = ACL()

    def sign(self, alloc: Allocation, task_name: str) -> str:
        task = _task_of(alloc, task_name)
        identity = task.identity or WorkloadIdentity()
        now = self._core.clock.now_ns() // 1_000_000_000
        region = alloc.job.region if alloc.job is not None else self._core.region
        name = identity.name or DEFAULT_IDENTITY
        claims: dict[str, object] = {
            "nomad_namespace": alloc.namespace, "nomad_job_id": alloc.job_id,
            "nomad_allocation_id": alloc.id, "nomad_task": task.name,
            "sub": ":".join((region or "global", alloc.namespace, alloc.job_id,
                             alloc.task_group, task.name, name)),
            "aud": list(identity.audience or [NOMAD_AUDIENCE]),
            "iat": now, "nbf": now, "jti": str(uuid.uuid4()),
        }
        if identity.ttl > 0:
            claims["exp"] = now + max(1, identity.ttl // 1_000_000_000)
        return self._keyring.sign(claims)

    def resolve(self, token: str) -> Caller:
        """The caller a workload identity stands for; PermissionDenied when it is forged,
        expired, meant for another audience, or its allocation is gone or finished."""
        try:
            claims = self._keyring.verify(token, NOMAD_AUDIENCE)
        except jwt.PyJWTError:
            raise PermissionDenied() from None
        alloc = self._core.store.alloc(str(claims.get("nomad_allocation_id", "")))
        if alloc is None or alloc.client_terminal() \
                or alloc.namespace != claims.get("nomad_namespace") \
                or alloc.job_id != claims.get("nomad_job_id"):
            raise PermissionDenied()
        claim = WorkloadClaim(alloc.namespace, alloc.job_id, alloc.task_group,
                              str(claims.get("nomad_task", "")), alloc.id)
        holder = ACLToken(accessor_id="", name=f"workload identity {claims.get('sub', '')}",
                          type="client", policies=[])
        return Caller(holder, self._no_rules, token, claim)


def _task_of(alloc: Allocation, task_name: str) -> Task:
    group = alloc.job.group(alloc.task_group) if alloc.job is not None else None
    task = group.task(task_name) if group is not None else None
    if task is None:
        raise InvalidInput(f'allocation {alloc.id} has no task "{task_name}"')
    return task
