"""Register-time job validation: every problem at once, each with its field path.

Texts follow Nomad's (`Missing job datacenters`, `Task cannot be named "alloc"`, ...).
Runs on a canonicalized job. Driver config is not checked here: the client's
driver decodes it, as in Nomad.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Protocol

from caravan.errors import FieldError, JobValidationError
from caravan.structs.action import action_problems
from caravan.structs.artifact import validate_artifact
from caravan.structs.job import JOB_TYPES, LIFECYCLE_HOOKS, Constraint, Job, Task, TaskGroup
from caravan.structs.names import job_id_problem, path_name_problem, task_name_problem
from caravan.structs.service import Service, ServiceCheck
from caravan.structs.placement import preference_problems
from caravan.structs.validate_batch import batch_problems
from caravan.structs.template import template_problems
from caravan.structs.migrate import migrate_problems
from caravan.structs.update import update_problems

CONSTRAINT_OPERANDS = ("=", "==", "is", "!=", "not", ">", ">=", "<", "<=", "regexp", "version",
                       "semver", "set_contains", "set_contains_all", "set_contains_any",
                       "distinct_hosts", "distinct_property", "is_set", "is_not_set")
_NAME_RE = re.compile(r"^[a-zA-Z0-9-]{1,128}$")
# Nomad has no bound; caravan needs one: the scheduler builds a placement per missing
# allocation, so a count of 2^63 ate memory until the agent no longer stopped. The
# server's `job_max_count` overrides it.
DEFAULT_JOB_MAX_COUNT = 10_000


def validate_job(job: Job, *, max_priority: int = 100,
                 max_count: int = DEFAULT_JOB_MAX_COUNT) -> None:
    """Raise JobValidationError listing every problem, or return None when the job is valid."""
    errors: list[FieldError] = []

    def err(path: str, message: str) -> None:
        errors.append(FieldError(path=path, message=message))

    if not job.id:
        err("ID", "Missing job ID")
    elif " " in job.id:
        err("ID", "Job ID contains a space")
    elif "\x00" in job.id:
        err("ID", "Job ID contains a null character")
    elif (problem := job_id_problem(job.id)) is not None:
        err("ID", f"Job ID {problem}")
    if not job.name:
        err("Name", "Missing job name")
    if not job.type:
        err("Type", "Missing job type")
    elif job.type not in JOB_TYPES:
        err("Type", f'Invalid job type: "{job.type}"')
    if not _NAME_RE.match(job.namespace or ""):
        err("Namespace", f'invalid namespace "{job.namespace}"')
    if not 1 <= job.priority <= max_priority:
        err("Priority", f"job priority must be between [1, {max_priority}]")
    if not job.datacenters:
        err("Datacenters", "Missing job datacenters")
    for i, dc in enumerate(job.datacenters or []):
        if not dc:
            err(f"Datacenters[{i}]", "datacenter must be non-empty string")
    for i, c in enumerate(job.constraints or []):
        _constraint(c, f"Constraints[{i}]", err)
    if not job.task_groups:
        err("TaskGroups", "Missing job task groups")
    seen: set[str] = set()
    for gi, group in enumerate(job.task_groups):
        path = f"TaskGroups[{gi}]"
        if group.name in seen:
            err(f"{path}.Name", f"Job task group {gi + 1} redefines '{group.name}' from group")
        seen.add(group.name)
        _group(group, path, err, max_count)
        update_problems(group, job.type, path, err)
        migrate_problems(group, job.type, path, err)
    for path, message in batch_problems(job):
        err(path, message)
    for path, message in _preference_problems(job):
        err(path, message)
    if errors:
        raise JobValidationError(errors)


def _preference_problems(job: Job) -> Iterator[tuple[str, str]]:
    """Affinities and spreads at every level (spreads: job and group, as in Nomad)."""
    yield from preference_problems(job.affinities, job.spreads, "", job.type)
    for gi, group in enumerate(job.task_groups):
        path = f"TaskGroups[{gi}]."
        yield from preference_problems(group.affinities, group.spreads, path, job.type)
        for ti, task in enumerate(group.tasks):
            yield from preference_problems(task.affinities, None, f"{path}Tasks[{ti}].",
                                           job.type)


def _constraint(c: Constraint, path: str, err: _Err) -> None:
    if c.operand not in CONSTRAINT_OPERANDS:
        err(f"{path}.Operand", f'Unknown constraint type "{c.operand}"')
        return
    if c.operand in ("distinct_hosts", "distinct_property", "is_set", "is_not_set"):
        if c.operand == "distinct_property" and not c.l_target:
            err(f"{path}.LTarget", "No LTarget provided but is required by constraint")
        return
    if not c.l_target and c.operand != "regexp":
        err(f"{path}.LTarget", "No LTarget provided but is required by constraint")
    if c.operand == "regexp":
        try:
            re.compile(c.r_target)
        except re.error as e:
            err(f"{path}.RTarget", f"Regular expression failed to compile: {e}")


def _group(group: TaskGroup, path: str, err: _Err, max_count: int) -> None:
    if not group.name:
        err(f"{path}.Name", "Missing task group name")
    elif (problem := path_name_problem(group.name)) is not None:
        err(f"{path}.Name", f"Task group name {problem}")
    if group.count is not None and group.count < 0:
        err(f"{path}.Count", "Task group count can't be negative")
    elif group.count is not None and group.count > max_count:
        err(f"{path}.Count", f"Task group count {group.count} is above this server's limit "
            f"of {max_count} (server job_max_count)")
    if not group.tasks:
        err(f"{path}.Tasks", "Missing tasks for task group")
    for i, c in enumerate(group.constraints or []):
        _constraint(c, f"{path}.Constraints[{i}]", err)
    rp = group.restart_policy
    if rp is not None and rp.mode not in (None, "fail", "delay"):
        err(f"{path}.RestartPolicy.Mode", f'Unsupported restart mode: "{rp.mode}"')
    for key, volume in (group.volumes or {}).items():
        problem = path_name_problem(key) or path_name_problem(volume.name or key)
        if problem is not None:
            err(f"{path}.Volumes[{key!r}]", f"Volume name {problem}")
    if sum(t.leader for t in group.tasks) > 1:
        err(f"{path}.Tasks", "Only one task may be marked as leader")
    if group.tasks and not any(t.is_main() for t in group.tasks):
        err(f"{path}.Tasks", f"Task group {group.name} must have at least one main task")
    _networks(group, path, err)
    _services(group, path, err)
    names: set[str] = set()
    for ti, task in enumerate(group.tasks):
        tpath = f"{path}.Tasks[{ti}]"
        if task.name in names:
            err(f"{tpath}.Name", f"Task {ti + 1} redefines '{task.name}' from task")
        names.add(task.name)
        _task(task, tpath, group, err)


def _networks(group: TaskGroup, path: str, err: _Err) -> None:
    """Nomad's rules for ports (labels and static ports unique in the group, values in
    range), and what caravan runs: host networking on the node's default address."""
    asks = [(f"{path}.Networks[{i}]", "taskgroup network", n)
            for i, n in enumerate(group.networks or [])]
    if len(asks) > 1:
        err(f"{path}.Networks",
            f"Only one network resource is currently supported, found {len(asks)}")
    for ti, task in enumerate(group.tasks):
        asks += [(f"{path}.Tasks[{ti}].Resources.Networks[{i}]", f"task {task.name}", n)
                 for i, n in enumerate(task.resources.networks or [])]
    labels: dict[str, str] = {}
    statics: dict[int, str] = {}
    for npath, owner, network in asks:
        if network.mode == "bridge":
            err(f"{npath}.Mode", 'network mode "bridge" is not supported by caravan yet: '
                "allocations share their node's network; use mode = \"host\"")
        elif network.mode not in ("", "host"):
            err(f"{npath}.Mode", f'unsupported network mode "{network.mode}"; caravan runs '
                '"host" networking')
        for port in network.ports():
            ppath = f"{npath}.Ports[{port.label!r}]"
            if port.label in labels:
                err(ppath, f"Port label {port.label} already in use by {labels[port.label]}")
            labels.setdefault(port.label, owner)
            if port.host_network not in ("", "default"):
                err(ppath, f'host_network "{port.host_network}" is not known: caravan clients '
                    'offer the "default" host network only')
            if port.value < 0 or port.value > 65535:
                err(ppath, f"Port {port.label} ({port.value}) cannot be greater than 65535"
                    if port.value > 0 else f"Port {port.label} ({port.value}) cannot be "
                    "negative")
            elif port.value in statics:
                err(ppath, f"Static port {port.value} already reserved by {statics[port.value]}")
            elif port.value:
                statics[port.value] = f"{owner}:{port.label}"
            if port.to < -1:
                err(ppath, f'Port "{port.label}" cannot be mapped to negative value {port.to}')
            elif port.to > 65535:
                err(ppath, f'Port "{port.label}" cannot be mapped to a port ({port.to}) '
                    "greater than 65535")


_SERVICE_NAME = re.compile(r"^(?i:[a-z0-9]|[a-z0-9][a-z0-9\-]{0,61}[a-z0-9])$")


def _services(group: TaskGroup, path: str, err: _Err) -> None:
    """Services with Nomad's own provider: valid names, ports the group asks for."""
    group_labels = {p.label for n in group.networks or [] for p in n.ports()}
    scopes: list[tuple[str, list[Service], set[str]]] = [
        (f"{path}.Services", group.services or [], group_labels)]
    for ti, task in enumerate(group.tasks):
        task_labels = {p.label for n in task.resources.networks or [] for p in n.ports()}
        scopes.append((f"{path}.Tasks[{ti}].Services", task.services or [],
                       group_labels | task_labels))
    tasks = {t.name for t in group.tasks}
    for spath, services, labels in scopes:
        seen: set[tuple[str, str]] = set()
        for i, service in enumerate(services):
            where = f"{spath}[{i}]"
            if service.provider == "consul":
                err(f"{where}.Provider", 'service provider "consul" is not supported: Consul is '
                    'not part of caravan; use provider = "nomad" (the default here)')
            elif service.provider not in ("", "nomad"):
                err(f"{where}.Provider", f'unknown service provider "{service.provider}"')
            if not _SERVICE_NAME.match(service.name):
                err(f"{where}.Name", "Service name must be valid per RFC 1123 and can contain "
                    f"only alphanumeric characters or dashes: {service.name!r}")
            if (service.name, service.port_label) in seen:
                err(f"{where}.Name", f"Service {service.name} is duplicate")
            seen.add((service.name, service.port_label))
            if service.port_label and not service.port_label.isdigit() \
                    and service.port_label not in labels:
                err(f"{where}.PortLabel", f"service {service.name!r} uses port "
                    f"{service.port_label!r}, which no network of the group defines")
            if service.address_mode not in ("", "auto", "host"):
                err(f"{where}.AddressMode", f'address_mode "{service.address_mode}" is not '
                    'supported by caravan: tasks use host networking ("auto" or "host")')
            for ci, check in enumerate(service.checks or []):
                _check(check, f"{where}.Checks[{ci}]", service, scope_is_group=
                       spath == f"{path}.Services", tasks=tasks, labels=labels, err=err)
            if service.task_name and service.task_name not in tasks:
                err(f"{where}.TaskName", f'service {service.name!r} names task '
                    f'"{service.task_name}", which the group does not have')


_SECOND = 1_000_000_000


def _check(check: ServiceCheck, where: str, service: Service, *, scope_is_group: bool,
           tasks: set[str], labels: set[str], err: _Err) -> None:
    """Nomad's rules for a check, for the types caravan's client runs."""
    if check.type not in ("http", "tcp", "script"):
        err(f"{where}.Type", f'invalid check type "{check.type}": caravan runs "http", "tcp" '
            'and "script" checks')
    if check.interval < _SECOND:
        err(f"{where}.Interval", f"interval ({check.interval / _SECOND:g}s) cannot be lower "
            "than 1s")
    if check.timeout < _SECOND:
        err(f"{where}.Timeout", f"timeout ({check.timeout / _SECOND:g}s) is lower than "
            "required minimum timeout 1s")
    if check.type == "http" and not check.path:
        err(f"{where}.Path", "http type must have http path")
    if check.type == "script":
        if not check.command:
            err(f"{where}.Command", "script type must have a valid script path")
        if scope_is_group and not (check.task_name or service.task_name):
            err(f"{where}.TaskName", "script checks in group services must set task")
    task = check.task_name
    if task and task not in tasks:
        err(f"{where}.TaskName", f'check {check.name!r} names task "{task}", which the group '
            "does not have")
    label = check.port_label
    if label and not label.isdigit() and label not in labels:
        err(f"{where}.PortLabel", f"check {check.name!r} uses port {label!r}, which no "
            "network of the group defines")
    restart = check.check_restart
    if restart is not None and (restart.limit < 0 or restart.grace < 0):
        err(f"{where}.CheckRestart", "check_restart limit and grace must not be negative")


def _task(task: Task, path: str, group: TaskGroup, err: _Err) -> None:
    if not task.name:
        err(f"{path}.Name", "Missing task name")
    elif (problem := task_name_problem(task.name)) is not None:
        err(f"{path}.Name", f"Task {problem}" if problem.startswith("cannot be named")
            else f"Task name {problem}")
    if not task.driver:
        err(f"{path}.Driver", "Missing task driver")
    r = task.resources
    if r.cpu is not None and r.cores:
        err(f"{path}.Resources", "Task can only ask for 'cpu' or 'cores' resource, not both.")
    if r.cpu is not None and r.cpu < 1 and not r.cores:
        err(f"{path}.Resources.CPU", f"minimum CPU value is 1; got {r.cpu}")
    if r.memory_mb is not None and r.memory_mb < 10:
        err(f"{path}.Resources.MemoryMB", f"minimum MemoryMB value is 10; got {r.memory_mb}")
    if r.memory_max_mb and r.memory_max_mb > 0 and r.memory_mb is not None \
            and r.memory_max_mb < r.memory_mb:
        err(f"{path}.Resources.MemoryMaxMB",
            f"MemoryMaxMB value ({r.memory_max_mb}) should be larger than MemoryMB value "
            f"({r.memory_mb})")
    lifecycle = task.lifecycle
    if lifecycle is not None and lifecycle.hook not in LIFECYCLE_HOOKS:
        err(f"{path}.Lifecycle.Hook", "Lifecycle validation failed: " + (
            f"invalid hook: {lifecycle.hook}" if lifecycle.hook else "no lifecycle hook provided"))
    if task.kill_timeout is not None and task.kill_timeout < 0:
        err(f"{path}.KillTimeout", "KillTimeout must be a positive value")
    lc = task.log_config
    disk = group.ephemeral_disk.size_mb if group.ephemeral_disk else 300
    if lc is not None:
        if lc.max_files < 1:
            err(f"{path}.LogConfig.MaxFiles", f"minimum number of files is 1; got {lc.max_files}")
        if lc.max_file_size_mb < 1:
            err(f"{path}.LogConfig.MaxFileSizeMB",
                f"minimum file size is 1MB; got {lc.max_file_size_mb}")
        if lc.max_files * lc.max_file_size_mb >= disk and not lc.disabled:
            err(f"{path}.LogConfig", f"log storage ({lc.max_files * lc.max_file_size_mb} MB) "
                f"must be less than requested disk capacity ({disk} MB)")
    for i, c in enumerate(task.constraints or []):
        _constraint(c, f"{path}.Constraints[{i}]", err)
    volumes = group.volumes or {}
    for i, vm in enumerate(task.volume_mounts or []):
        if vm.volume not in volumes:
            err(f"{path}.VolumeMounts[{i}]",
                f'Volume Mount ({i}) references undefined volume {vm.volume}')
    for i, a in enumerate(task.artifacts or []):
        for problem in validate_artifact(a):
            err(f"{path}.Artifacts[{i}]", problem)
        if a.getter_mode not in ("any", "file", "dir"):
            err(f"{path}.Artifacts[{i}].GetterMode",
                f'invalid artifact mode "{a.getter_mode}"; must be one of: any, file, dir')
    for i, problem in action_problems(task.actions or []):
        err(f"{path}.Actions[{i}]", problem)
    for i, problem in template_problems(task.templates or []):
        err(f"{path}.Templates[{i}]", problem)


class _Err(Protocol):
    def __call__(self, path: str, message: str) -> None: ...
