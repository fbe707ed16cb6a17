"""Fill Nomad's defaults into a job, as `api.Job.Canonicalize` does before register.

Pure and idempotent: canonicalizing twice gives the same job. Returns a new job.
"""

from __future__ import annotations

from caravan.clock import NS_PER_SECOND
from caravan.structs.job import (
    EphemeralDisk,
    Job,
    LogConfig,
    NetworkResource,
    ReschedulePolicy,
    Resources,
    RestartPolicy,
    Task,
    TaskGroup,
)
from caravan.structs.service import CheckRestart, Service, ServiceCheck
from caravan.structs.template import canonical_template
from caravan.structs.migrate import canonical_migrates
from caravan.structs.update import canonical_updates

_S = NS_PER_SECOND
_MIN = 60 * _S
_HOUR = 60 * _MIN

_RESTART_DEFAULTS = {
    "service": RestartPolicy(attempts=2, interval=30 * _MIN, delay=15 * _S, mode="fail"),
    "system": RestartPolicy(attempts=2, interval=30 * _MIN, delay=15 * _S, mode="fail"),
    "batch": RestartPolicy(attempts=3, interval=24 * _HOUR, delay=15 * _S, mode="fail"),
    "sysbatch": RestartPolicy(attempts=3, interval=24 * _HOUR, delay=15 * _S, mode="fail"),
}
_RESCHEDULE_DEFAULTS = {
    "service": ReschedulePolicy(attempts=0, interval=0, delay=30 * _S,
                                delay_function="exponential", max_delay=_HOUR, unlimited=True),
    "batch": ReschedulePolicy(attempts=1, interval=24 * _HOUR, delay=5 * _S,
                              delay_function="constant", max_delay=0, unlimited=False),
}
DEFAULT_KILL_TIMEOUT = 5 * _S


def canonicalize(job: Job) -> Job:
    out = job.model_copy(deep=True)
    out.name = out.name or out.id
    out.namespace = out.namespace or "default"
    out.region = out.region or "global"
    out.type = out.type or "service"
    out.node_pool = out.node_pool or "default"
    if not out.datacenters:
        out.datacenters = ["*"]
    out.task_groups = [_group(g, out.type) for g in out.task_groups]
    canonical_updates(out)
    canonical_migrates(out)
    for group in out.task_groups:
        group.services = _services(group.services, out.name, group.name, None)
        for task in group.tasks:
            task.services = _services(task.services, out.name, group.name, task.name)
    return out


def _services(services: list[Service] | None, job: str, group: str, task: str | None
              ) -> list[Service] | None:
    """Nomad's service defaults: a name from the job, group (and task) names, `${JOB}`,
    `${TASKGROUP}`, `${TASK}`, `${BASE}` replaced in it. The provider defaults to
    Nomad's own: Nomad's default is Consul, which caravan does not have."""
    if not services:
        return None
    base = f"{job}-{group}-{task}" if task else f"{job}-{group}"
    names = {"JOB": job, "TASKGROUP": group, "TASK": task or "", "BASE": base}
    out = []
    for service in services:
        name = service.name or base
        for key, value in names.items():
            name = name.replace("${" + key + "}", value)
        out.append(service.model_copy(update={
            "name": name, "provider": service.provider or "nomad",
            "address_mode": service.address_mode or "auto",
            "on_update": service.on_update or "require_healthy",
            "tags": service.tags or None,
            "checks": [_check(c, name, service) for c in service.checks or []] or None}))
    return out


def _check(check: ServiceCheck, service_name: str, service: Service) -> ServiceCheck:
    """Nomad's check defaults; the service's `check_restart` under the check's own."""
    restart = check.check_restart
    if service.check_restart is not None:
        base = service.check_restart.model_dump(exclude_defaults=True)
        restart = CheckRestart.model_validate(
            {**base, **(restart.model_dump(exclude_defaults=True) if restart else {})})
    return check.model_copy(update={
        "name": check.name or f'service: "{service_name}" check',
        "method": check.method or ("GET" if check.type == "http" else ""),
        "protocol": check.protocol or ("http" if check.type == "http" else ""),
        "on_update": check.on_update or service.on_update or "require_healthy",
        "check_restart": restart})


def _merge_restart(base: RestartPolicy, override: RestartPolicy | None) -> RestartPolicy:
    if override is None:
        return base.model_copy()
    merged = base.model_copy()
    for field in ("attempts", "interval", "delay", "mode"):
        value = getattr(override, field)
        if value is not None:
            setattr(merged, field, value)
    merged.render_templates = override.render_templates
    return merged


def _merge_reschedule(base: ReschedulePolicy | None, override: ReschedulePolicy | None
                      ) -> ReschedulePolicy | None:
    if base is None:
        return override
    merged = base.model_copy()
    if override is not None:
        for field in ReschedulePolicy.model_fields:
            value = getattr(override, field)
            if value is not None:
                setattr(merged, field, value)
    return merged


def _group(group: TaskGroup, job_type: str) -> TaskGroup:
    g = group.model_copy()
    if g.count is None:
        g.count = 1
    default_restart = _RESTART_DEFAULTS.get(job_type, _RESTART_DEFAULTS["service"])
    g.restart_policy = _merge_restart(default_restart, g.restart_policy)
    g.reschedule_policy = _merge_reschedule(_RESCHEDULE_DEFAULTS.get(job_type),
                                            g.reschedule_policy)
    g.ephemeral_disk = g.ephemeral_disk or EphemeralDisk()
    if g.networks:
        g.networks = [_network(n) for n in g.networks]
    g.tasks = [_task(t, g.restart_policy) for t in g.tasks]
    return g


def _network(network: NetworkResource) -> NetworkResource:
    """Nomad's API defaults: host mode, ports on the "default" host network."""
    n = network.model_copy(update={"mode": network.mode or "host"})
    for name in ("reserved_ports", "dynamic_ports"):
        listed = getattr(n, name)
        if listed:
            setattr(n, name, [p.model_copy(update={"host_network": p.host_network or "default"})
                              for p in listed])
    return n


def _task(task: Task, group_restart: RestartPolicy) -> Task:
    t = task.model_copy()
    r = t.resources.model_copy() if t.resources else Resources()
    if r.cpu is None and not r.cores:
        r.cpu = 100
    if r.cores is None:
        r.cores = 0
    if r.memory_mb is None:
        r.memory_mb = 300
    if r.memory_max_mb is None:
        r.memory_max_mb = 0
    t.resources = r
    if t.kill_timeout is None:
        t.kill_timeout = DEFAULT_KILL_TIMEOUT
    t.log_config = t.log_config or LogConfig()
    # A task-level restart block overrides the group's field by field.
    t.restart_policy = _merge_restart(group_restart, t.restart_policy)
    if t.lifecycle is not None and not t.lifecycle.hook and not t.lifecycle.sidecar:
        t.lifecycle = None  # an empty block, as Nomad's API canonicalizes it: a main task
    for artifact in t.artifacts or []:
        if not artifact.getter_mode:
            artifact.getter_mode = "any"
    if t.templates:
        t.templates = [canonical_template(tmpl) for tmpl in t.templates]
    return t
