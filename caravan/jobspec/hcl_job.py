"""Decodes a parsed HCL job file (the top level, `job` and `group` blocks) into
`structs.Job`; tasks are `hcl_task`'s. Problems are collected, never raised here.
"""

from __future__ import annotations

from caravan.jobspec import fields as table
from caravan.jobspec.hcl_batch import parameterized, periodic
from caravan.jobspec.hcl_body import Body, RawBlock, Source, Spec
from caravan.jobspec.hcl_common import (
    MIGRATE,
    RESCHEDULE,
    RESTART,
    UPDATE,
    constraints,
    optional_block,
    present,
    string_map,
)
from caravan.jobspec.hcl_network import networks
from caravan.jobspec.hcl_placement import affinities, spreads
from caravan.jobspec.hcl_service import services
from caravan.jobspec.hcl_task import task
from caravan.jobspec.hcl_values import to_bool, to_int, to_string, to_strings
from caravan.structs.drain import MigrateStrategy
from caravan.structs import (
    EphemeralDisk,
    Job,
    ReschedulePolicy,
    RestartPolicy,
    TaskGroup,
    UpdateStrategy,
    VolumeRequest,
)

FILE = Spec(blocks=frozenset({"job"}),
            unsupported_blocks=frozenset({"variable", "variables", "locals"}))
JOB = Spec(
    attrs={"name": ("name", to_string), "namespace": ("namespace", to_string),
           "region": ("region", to_string), "type": ("type", to_string),
           "priority": ("priority", to_int), "all_at_once": ("all_at_once", to_bool),
           "datacenters": ("datacenters", to_strings), "node_pool": ("node_pool", to_string),
           "id": ("id", to_string)},
    blocks=frozenset({"constraint", "group", "task", "update", "periodic", "parameterized",
                      "affinity", "spread", "migrate"}),
    maps=frozenset({"meta"}),
    unsupported_blocks=table.JOB.refused_blocks,
    unsupported_attrs=table.JOB.refused_attrs,
)
GROUP = Spec(
    attrs={"count": ("count", to_int)},
    blocks=frozenset({"constraint", "restart", "reschedule", "ephemeral_disk", "volume",
                      "task", "network", "service", "update", "affinity", "spread", "migrate"}),
    maps=frozenset({"meta"}),
    unsupported_blocks=table.GROUP.refused_blocks,
    unsupported_attrs=table.GROUP.refused_attrs,
)
EPHEMERAL_DISK = Spec(attrs={"size": ("size_mb", to_int)},
                      unsupported_attrs=table.EPHEMERAL_DISK.refused_attrs)
VOLUME = Spec(
    attrs={"type": ("type", to_string), "source": ("source", to_string),
           "read_only": ("read_only", to_bool)},
    unsupported_blocks=table.VOLUME.refused_blocks,
    unsupported_attrs=table.VOLUME.refused_attrs,
)


def decode_file(content: dict[str, object], source: Source) -> Job:
    """The job in a parsed file; every problem goes to `source.problems`."""
    top = Body(source, dict(content), "", 1, max(1, len(source.lines)))
    top.check(FILE)
    jobs = top.blocks.get("job", [])
    if not jobs:
        top.error('no "job" block found: a job file holds one job "<name>" { ... } block')
        return Job()
    for extra in jobs[1:]:
        top.error(f'only one "job" block is allowed per file (the first is at line '
                  f"{jobs[0].start})", line=extra.start, path="job")
    return _job(top, jobs[0])


def _job(top: Body, block: RawBlock) -> Job:
    job_id = top.label(block, "job", 'job "example" { ... }')
    body = top.child(block, "job")
    body.check(JOB)
    fields = body.convert(JOB)
    groups = body.blocks.get("group", [])
    _no_repeated_labels(body, groups)
    if "id" in fields:  # `id` overrides the label; the label stays the name, as in Nomad
        fields.setdefault("name", job_id)
    fields.setdefault("id", job_id)
    fields.update(meta=string_map(body, "meta"), constraints=constraints(body),
                  affinities=affinities(body), spreads=spreads(body),
                  update=optional_block(body, "update", UPDATE, UpdateStrategy),
                  migrate=optional_block(body, "migrate", MIGRATE, MigrateStrategy),
                  periodic=periodic(body), parameterized_job=parameterized(body),
                  task_groups=[*_lone_tasks(body),
                               *(_group(body, g, i) for i, g in enumerate(groups))])
    return Job.model_validate(present(fields))


def _lone_tasks(job: Body) -> list[TaskGroup]:
    """A `task` directly under `job` is a group of its own name holding only it, placed
    before the job's groups, as Nomad's HCL2 parser does."""
    blocks = job.blocks.get("task", [])
    _no_repeated_labels(job, blocks)
    lone = [task(job, block, i) for i, block in enumerate(blocks)]
    return [TaskGroup(name=t.name, tasks=[t]) for t in lone]


def _group(job: Body, block: RawBlock, index: int) -> TaskGroup:
    name = job.label(block, f"job.group[{index}]", 'group "web" { ... }')
    body = job.child(block, f'job.group["{name}"]' if name else f"job.group[{index}]")
    body.check(GROUP)
    fields = body.convert(GROUP)
    tasks = body.blocks.get("task", [])
    _no_repeated_labels(body, tasks)
    fields.update(
        name=name, meta=string_map(body, "meta"), constraints=constraints(body),
        affinities=affinities(body), spreads=spreads(body),
        restart_policy=optional_block(body, "restart", RESTART, RestartPolicy),
        reschedule_policy=optional_block(body, "reschedule", RESCHEDULE, ReschedulePolicy),
        ephemeral_disk=optional_block(body, "ephemeral_disk", EPHEMERAL_DISK, EphemeralDisk),
        volumes=_volumes(body), networks=networks(body), services=services(body),
        update=optional_block(body, "update", UPDATE, UpdateStrategy),
        migrate=optional_block(body, "migrate", MIGRATE, MigrateStrategy),
        tasks=[task(body, t, i) for i, t in enumerate(tasks)],
    )
    return TaskGroup.model_validate(present(fields))


def _volumes(group: Body) -> dict[str, VolumeRequest] | None:
    blocks = group.blocks.get("volume", [])
    _no_repeated_labels(group, blocks)
    out: dict[str, VolumeRequest] = {}
    for i, block in enumerate(blocks):
        name = group.label(block, f"{group.path}.volume[{i}]", 'volume "data" { ... }')
        body = group.child(block, f'{group.path}.volume["{name}"]')
        body.check(VOLUME)
        out[name] = VolumeRequest.model_validate({**body.convert(VOLUME), "name": name})
    return out or None


def _no_repeated_labels(parent: Body, blocks: list[RawBlock]) -> None:
    """Two groups (tasks, volumes) of one name: only the file knows where each is."""
    first: dict[str, int] = {}
    for block in blocks:
        if not block.labels:
            continue
        name = block.labels[0]
        if name in first:
            parent.error(f'{block.kind} "{name}" is defined more than once (the first is at '
                         f"line {first[name]})", line=block.start,
                         path=f'{parent.path}.{block.kind}["{name}"]')
        else:
            first[name] = block.start
