"""The one alias rule between Python names and Nomad's JSON names.

`memory_max_mb` <-> `MemoryMaxMB`, `job_id` <-> `JobID`, `failed_tg_allocs` <->
`FailedTGAllocs`: each underscore-separated word is capitalised, except the
acronyms below, which are upper-cased whole. Fields whose Nomad name breaks the
rule (`Cpu`, `CpuShares` in NodeResources) set `Field(alias=...)` explicitly.

Input keys are matched case-insensitively, as Go's JSON decoder does; unknown
keys are ignored at this layer (the jobspec parser rejects them in job files).
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, model_validator

_ACRONYMS = {"id": "ID", "cpu": "CPU", "mb": "MB", "tg": "TG", "http": "HTTP",
             "tls": "TLS", "ttl": "TTL", "ip": "IP", "acl": "ACL", "url": "URL"}


def to_nomad(name: str) -> str:
    return "".join(_ACRONYMS.get(part, part.capitalize()) for part in name.split("_"))


class Struct(BaseModel):
    """Base of every model that travels over Nomad's wire."""

    model_config = ConfigDict(
        alias_generator=to_nomad,
        populate_by_name=True,
        extra="ignore",
        validate_assignment=False,
        # Build each model's validator on first use, not at import: a CLI command that
        # touches three models should not pay for a hundred (start-up is most of its time).
        defer_build=True,
    )

    _lower_aliases: ClassVar[dict[str, str]] = {}
    _exact_keys: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        aliases = {name: (f.alias or name) for name, f in cls.model_fields.items()}
        cls._lower_aliases = {alias.lower(): alias for alias in aliases.values()}
        cls._exact_keys = frozenset(aliases) | frozenset(aliases.values())

    @model_validator(mode="before")
    @classmethod
    def _fold_key_case(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        exact = cls._exact_keys
        if exact.issuperset(data):  # the usual case, checked in C: every model built pays it
            return data
        known = cls._lower_aliases
        return {(known.get(key.lower(), key) if isinstance(key, str) and key not in exact
                 else key): value for key, value in data.items()}

    def to_wire(self) -> dict[str, Any]:
        """The Nomad JSON shape (aliases, nulls kept as Nomad keeps them)."""
        return self.model_dump(mode="json", by_alias=True)
