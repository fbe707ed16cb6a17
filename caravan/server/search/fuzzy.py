"""`/v1/search/fuzzy`: case-insensitive substring matches, best first, with their scope.

A job yields matches in several contexts: its name (jobs), its groups (groups), services
(services), tasks (tasks) and a task's command (commands, for exec and raw_exec) or
image (images, docker). Each match carries the IDs of its parents (`Scope`: namespace,
job, group, task). Evaluations and deployments match by ID prefix only, as in Nomad.
Matches sort by where the text was found, then by length, then alphabetically.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from caravan.acl import ACL
from caravan.server.search import contexts as c
from caravan.server.search.prefix import matching_ids
from caravan.server.state import StateStore
from caravan.structs import Job

# Nomad's `search { limit_query limit_results min_term_length }` defaults.
LIMIT_QUERY, LIMIT_RESULTS, MIN_TERM_LENGTH = 20, 100, 2
_PREFIX_ONLY = (c.EVALS, c.DEPLOYMENTS, c.SCALING, c.VOLUMES, c.HOST_VOLUMES)


@dataclass(frozen=True)
class Match:
    id: str
    score: int
    scope: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"ID": self.id, "Scope": list(self.scope)} if self.scope else {"ID": self.id}


@dataclass
class FuzzyResult:
    matches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    truncations: dict[str, bool] = field(default_factory=dict)


def fuzzy_search(store: StateStore, acl: ACL | None, text: str, context: str,
                 namespace: str) -> FuzzyResult:
    result = FuzzyResult()
    lowered = text.lower()
    for ctx in c.expand(context):
        if namespace != c.ALL_NAMESPACES and not c.context_allowed(acl, ctx, namespace):
            continue
        if ctx in _PREFIX_ONLY:
            ids, truncated = matching_ids(store, acl, ctx, namespace, "", text)
            result.matches[ctx] = [{"ID": i} for i in ids]
            result.truncations[ctx] = truncated
            continue
        result.truncations[ctx] = False
        _fuzzy_context(store, acl, ctx, namespace, lowered, result)
    return result


def _fuzzy_context(store: StateStore, acl: ACL | None, ctx: str, namespace: str, text: str,
                   result: FuzzyResult) -> None:
    unsorted: dict[str, list[Match]] = {}
    items = [i for i in c.objects(store, ctx, namespace) if c.visible(acl, ctx, i)]
    for n, item in enumerate(items[:LIMIT_QUERY]):
        found = _job_matches(item.obj, text) if isinstance(item.obj, Job) else \
            _single(ctx, item, text)
        for match_ctx, match in found:
            kept = unsorted.setdefault(match_ctx, [])
            if len(kept) >= LIMIT_RESULTS:
                result.truncations[match_ctx] = True
                continue
            kept.append(match)
        if n == LIMIT_QUERY - 1 and len(items) > LIMIT_QUERY:
            for match_ctx, _ in found:
                result.truncations[match_ctx] = True
    for match_ctx, matches in unsorted.items():
        matches.sort(key=lambda m: (m.score, len(m.id), m.id))
        result.matches[match_ctx] = [m.to_json() for m in matches]


def _at(name: str, text: str) -> int:
    return name.lower().find(text)


def _single(ctx: str, item: c.Found, text: str) -> list[tuple[str, Match]]:
    obj = item.obj
    scope: tuple[str, ...]
    if ctx == c.NODES:
        name, scope = obj.name, (obj.id,)
    elif ctx == c.ALLOCS:
        name, scope = obj.name, (obj.namespace, obj.id)
    elif ctx == c.VARIABLES:
        name, scope = obj.path, (obj.namespace, obj.path)
    elif ctx == c.NODE_POOLS:
        name, scope = item.id, (item.id,)
    else:  # namespaces
        name, scope = item.id, ()
    at = _at(name, text)
    return [(ctx, Match(name, at, scope))] if at >= 0 else []


def _job_matches(job: Job, text: str) -> list[tuple[str, Match]]:
    ns, found = job.namespace, []
    if (at := _at(job.name, text)) >= 0:
        found.append((c.JOBS, Match(job.name, at, (ns, job.id))))
    for group in job.task_groups:
        if (at := _at(group.name, text)) >= 0:
            found.append(("groups", Match(group.name, at, (ns, job.id))))
        for service in group.services or []:
            if (at := _at(service.name, text)) >= 0:
                found.append(("services", Match(service.name, at, (ns, job.id, group.name))))
        for task in group.tasks:
            scope = (ns, job.id, group.name, task.name)
            if (at := _at(task.name, text)) >= 0:
                found.append(("tasks", Match(task.name, at, scope[:3])))
            for service in task.services or []:
                if (at := _at(service.name, text)) >= 0:
                    found.append(("services", Match(service.name, at, scope)))
            found.extend(_driver_match(task.driver, task.config, text, scope))
    return found


def _driver_match(driver: str, config: dict[str, Any], text: str,
                  scope: tuple[str, ...]) -> list[tuple[str, Match]]:
    key, ctx = {"exec": ("command", "commands"), "raw_exec": ("command", "commands"),
                "docker": ("image", "images"), "java": ("class", "classes")}.get(
                    driver, ("", ""))
    value = config.get(key) if key else None
    if not isinstance(value, str) or (at := _at(value, text)) < 0:
        return []
    return [(ctx, Match(value, at, scope))]
