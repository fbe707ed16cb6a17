"""ACL policies, ACL tokens and namespaces, in Nomad's JSON shapes.

Times are Go `time.Time` on the wire: RFC 3339 strings with nanoseconds
(`CreateTime`, `ExpirationTime`); `ExpirationTTL` is a Go duration string such
as `"1h0m0s"` (`""` when unset) and also accepted as integer nanoseconds, as
Nomad's decoder does. `Hash` is base64, as Go encodes `[]byte`.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, SerializerFunctionWrapHandler, field_validator, model_serializer

from caravan.durations import format_duration, parse_duration
from caravan.structs.base import Struct

ZERO_TIME = "0001-01-01T00:00:00Z"
_NS = 1_000_000_000


def rfc3339_nano(ns: int) -> str:
    """Unix nanoseconds as Go's RFC3339Nano in UTC (`2024-05-01T10:00:00.5Z`)."""
    seconds, frac = divmod(ns, _NS)
    text = datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")
    digits = f"{frac:09d}".rstrip("0")
    return f"{text}.{digits}Z" if digits else f"{text}Z"


def parse_rfc3339_ns(text: str) -> int:
    """An RFC 3339 time (any offset, up to nanoseconds) as Unix nanoseconds; 0 for zero."""
    if not text or text.startswith("0001-01-01"):
        return 0
    head, rest, frac = text[:19], text[19:], ""
    if rest.startswith("."):
        digits = len(rest) - 1 - len(rest[1:].lstrip("0123456789"))
        frac, rest = rest[1:1 + digits], rest[1 + digits:]
    moment = datetime.fromisoformat(head + (rest.replace("Z", "+00:00") or "+00:00"))
    return int(moment.timestamp()) * _NS + int((frac + "000000000")[:9])


def blake2b_base64(*parts: str) -> str:
    """Nomad's object hash: BLAKE2b-256 over the fields in order, base64 like `[]byte`."""
    digest = hashlib.blake2b(digest_size=32)
    for part in parts:
        digest.update(part.encode())
    return base64.b64encode(digest.digest()).decode()


class JobACL(Struct):
    namespace: str = ""
    job_id: str = ""
    group: str = ""
    task: str = ""


class ACLPolicy(Struct):
    name: str = ""
    description: str = ""
    rules: str = ""
    job_acl: JobACL | None = None
    hash: str = ""
    create_index: int = 0
    modify_index: int = 0

    def computed_hash(self) -> str:
        job = self.job_acl
        extra = (job.namespace, job.job_id, job.group, job.task) if job else ()
        return blake2b_base64(self.name, self.description, self.rules, *extra)

    def stub(self) -> ACLPolicyListStub:
        return ACLPolicyListStub(name=self.name, description=self.description,
                                 job_acl=self.job_acl, hash=self.hash,
                                 create_index=self.create_index, modify_index=self.modify_index)


class ACLPolicyListStub(Struct):
    name: str = ""
    description: str = ""
    job_acl: JobACL | None = None
    hash: str = ""
    create_index: int = 0
    modify_index: int = 0


class ACLTokenRoleLink(Struct):
    id: str = ""
    name: str = ""


class _TokenBase(Struct):
    accessor_id: str = ""
    name: str = ""
    type: str = "client"
    policies: list[str] | None = None
    roles: list[ACLTokenRoleLink] | None = None
    global_: bool = Field(False, alias="Global")
    hash: str = ""
    create_time: str = ZERO_TIME
    expiration_time: str | None = None
    create_index: int = 0
    modify_index: int = 0

    def expires_at_ns(self) -> int | None:
        ns = parse_rfc3339_ns(self.expiration_time or "")
        return ns or None

    def expired(self, now_ns: int) -> bool:
        expires = self.expires_at_ns()
        return expires is not None and expires < now_ns


class ACLToken(_TokenBase):
    secret_id: str = ""
    expiration_ttl: str = ""

    @field_validator("expiration_ttl", mode="before")
    @classmethod
    def _ttl_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float):
            return format_duration(int(value)) if value else ""
        if isinstance(value, str) and value:
            try:  # one spelling per duration, so "1h" and "1h0m0s" compare equal
                return format_duration(parse_duration(value))
            except ValueError:
                return value  # left for the endpoint to refuse with Go's message
        return value

    @model_serializer(mode="wrap")
    def _omit_unset_expiry(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        if self.expiration_time is None and isinstance(data, dict):
            data.pop("ExpirationTime", None)
            data.pop("expiration_time", None)
        return data

    def ttl_ns(self) -> int:
        """ExpirationTTL in nanoseconds; ValueError with Go's text when it is not one."""
        return parse_duration(self.expiration_ttl) if self.expiration_ttl else 0

    def problems(self, existing: ACLToken | None, min_ttl_ns: int,
                 max_ttl_ns: int) -> list[str]:
        """Nomad's token checks, in its words; `existing` is the stored token on update."""
        problems = self._type_problems()
        if existing is not None:
            return problems + self._update_problems(existing)
        try:
            ttl = self.ttl_ns()
        except ValueError as e:
            return [*problems, str(e)]
        if ttl < 0:
            problems.append(f"token expiration TTL '{format_duration(ttl)}' "
                            "should not be negative")
        expires = self.expires_at_ns()
        if expires is not None:
            created = parse_rfc3339_ns(self.create_time)
            left = expires - created
            if left < 0:
                problems.append("expiration time cannot be before create time")
            elif left > max_ttl_ns:
                problems.append(f"expiration time cannot be more than "
                                f"{format_duration(max_ttl_ns)} in the future "
                                f"(was {format_duration(left)})")
            elif left < min_ttl_ns:
                problems.append(f"expiration time cannot be less than "
                                f"{format_duration(min_ttl_ns)} in the future "
                                f"(was {format_duration(left)})")
        return problems

    def _type_problems(self) -> list[str]:
        problems = ["token name too long"] if len(self.name) > 256 else []
        linked = bool(self.policies) or bool(self.roles)
        if self.type == "client" and not linked:
            problems.append("client token missing policies or roles")
        elif self.type == "management" and linked:
            problems.append("management token cannot be associated with policies or roles")
        elif self.type not in ("client", "management"):
            problems.append("token type must be client or management")
        return problems

    def _update_problems(self, existing: ACLToken) -> list[str]:
        problems = []
        if existing.global_ != self.global_:
            problems.append("cannot toggle global mode")
        if existing.expiration_ttl != self.expiration_ttl:
            problems.append("cannot update expiration TTL")
        if self.expiration_time is not None and parse_rfc3339_ns(self.expiration_time) != \
                parse_rfc3339_ns(existing.expiration_time or ""):
            problems.append("cannot update expiration time")
        return problems

    def computed_hash(self) -> str:
        roles = [r.id for r in self.roles or []]
        scope = "global" if self.global_ else "local"
        return blake2b_base64(self.name, self.type, *(self.policies or []), scope, *roles)

    def stub(self) -> ACLTokenListStub:
        return ACLTokenListStub.model_validate(self.model_dump(exclude={"secret_id",
                                                                        "expiration_ttl"}))


class ACLTokenListStub(_TokenBase):
    pass


class ACLBootstrapRequest(Struct):
    bootstrap_secret: str = ""


class NamespaceCapabilities(Struct):
    enabled_task_drivers: list[str] | None = None
    disabled_task_drivers: list[str] | None = None
    enabled_network_modes: list[str] | None = None
    disabled_network_modes: list[str] | None = None


class NamespaceNodePoolConfiguration(Struct):
    default: str = ""
    allowed: list[str] | None = None
    denied: list[str] | None = None


class Namespace(Struct):
    name: str = ""
    description: str = ""
    quota: str = ""
    capabilities: NamespaceCapabilities | None = None
    node_pool_configuration: NamespaceNodePoolConfiguration | None = None
    meta: dict[str, str] | None = None
    hash: str = ""
    create_index: int = 0
    modify_index: int = 0

    def computed_hash(self) -> str:
        return blake2b_base64(self.model_dump_json(exclude={"hash", "create_index",
                                                            "modify_index"}))
