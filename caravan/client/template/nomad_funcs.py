"""Nomad's own template functions, answered from what the hook fetched from the servers.

    nomadService "name" | "tag.name" | "name@namespace" instances of one service
    nomadService COUNT "key" "name"                     COUNT of them, chosen stably by key
    nomadServices                                        every service name with its tags

Rendering is synchronous: the functions read a snapshot (`Reads.data`). What a pass
asked for is recorded (`Reads.asked`), and what the snapshot lacked (`Reads.missing`),
so the hook fetches it and renders again, and later watches exactly what was read.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from caravan.client.template.deps import Dep, Reads
from caravan.client.template.nomad_vars import variable_funcs
from caravan.gotemplate import FuncError, GoFunc, untyped
from caravan.structs import ServiceRegistration, ServiceRegistrationListStub

# consul-template's: [tag.]name[@namespace[.region]] (one region here: it is not used).
_SERVICE_QUERY = re.compile(r"^(?:(?P<tag>[\w=:.\-]+)\.)?(?P<name>[\w\-]+)"
                            r"(?:@(?P<namespace>[\w\-]+)(?:\.(?P<region>[\w.\-]+))?)?$")


@dataclass(frozen=True)
class NomadService:
    """consul-template's NomadService, field names as templates spell them."""

    ID: str
    Name: str
    Namespace: str
    NodeID: str
    Datacenter: str
    JobID: str
    AllocID: str
    Tags: list[str]
    Address: str
    Port: int


@dataclass(frozen=True)
class NomadServicesSnippet:
    Name: str
    Tags: list[str]


def nomad_funcs(current: Callable[[], Reads]) -> dict[str, GoFunc]:
    """The functions, reading whatever `current()` is when they are called (a parsed
    template keeps its functions; each render pass brings its own Reads)."""

    def service(*args: object) -> list[NomadService]:
        if len(args) == 1 and isinstance(args[0], str):
            return _instances(current(), args[0])
        if len(args) == 3 and isinstance(args[0], int) and isinstance(args[1], str) \
                and isinstance(args[2], str):
            return _choose(_instances(current(), args[2]), args[0], args[1])
        raise FuncError("nomadService: expected a service name, or a count, a key and a name")

    def services(*args: object) -> list[NomadServicesSnippet]:
        if args:
            raise FuncError("nomadServices: filters are not supported; call it without "
                            "arguments")
        stubs = current().get(Dep("services"), [])
        assert isinstance(stubs, list)
        return [NomadServicesSnippet(Name=s.service_name, Tags=list(s.tags))
                for group in stubs if isinstance(group, ServiceRegistrationListStub)
                for s in group.services]

    return {"nomadService": untyped(service), "nomadServices": untyped(services),
            **variable_funcs(current)}


def _instances(reads: Reads, query: str) -> list[NomadService]:
    match = _SERVICE_QUERY.match(query)
    if match is None:
        raise FuncError(f'nomadService: invalid service query "{query}"')
    regs = reads.get(Dep("service", match["name"], match["namespace"] or ""), [])
    assert isinstance(regs, list)
    tag = match["tag"]
    return [_service(r) for r in regs
            if isinstance(r, ServiceRegistration) and (tag is None or tag in (r.tags or []))]


def _service(r: ServiceRegistration) -> NomadService:
    return NomadService(ID=r.id, Name=r.service_name, Namespace=r.namespace, NodeID=r.node_id,
                        Datacenter=r.datacenter, JobID=r.job_id, AllocID=r.alloc_id,
                        Tags=list(r.tags or []), Address=r.address, Port=r.port)


def _choose(services: list[NomadService], count: int, key: str) -> list[NomadService]:
    """Rendezvous hashing on (key, instance ID): each key keeps its picks while the set
    of instances changes little, as consul-template's sharded form intends."""
    ranked = sorted(services, key=lambda s: hashlib.sha256(f"{key}/{s.ID}".encode()).digest())
    return ranked[:max(count, 0)]
