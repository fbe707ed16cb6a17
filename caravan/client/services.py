"""An allocation's service registrations as they should be now, reported to the server
with the allocation's status (Nomad's built-in service provider).

Group services are registered while the allocation lives and is not being stopped;
a task's services while that task runs. The address is the node's, the port the host
port the scheduler gave the service's port label (or a number written as the label);
`address` in the service block overrides the address.
"""

from __future__ import annotations

from collections.abc import Mapping

from caravan.client.taskenv import interpolate, interpolation_vars, port_vars
from caravan.structs import Allocation, Node, Service, ServiceRegistration, Task, TaskState


def registrations(alloc: Allocation, node: Node, states: Mapping[str, TaskState],
                  stopping: bool) -> list[ServiceRegistration]:
    job = alloc.job
    group = job.group(alloc.task_group) if job else None
    if group is None or stopping or all(s.state == "dead" for s in states.values()):
        return []
    out = [_registration(alloc, node, s, f"group-{group.name}", s.task_name or None)
           for s in group.services or []]
    for task in group.tasks:
        state = states.get(task.name)
        if state is not None and state.state == "running":
            out += [_registration(alloc, node, s, task.name, task.name)
                    for s in task.services or []]
    return out


def _registration(alloc: Allocation, node: Node, service: Service, owner: str,
                  task: str | None) -> ServiceRegistration:
    job = alloc.job
    env = {"NOMAD_JOB_ID": alloc.job_id, "NOMAD_JOB_NAME": job.name if job else "",
           "NOMAD_GROUP_NAME": alloc.task_group, "NOMAD_TASK_NAME": task or "",
           "NOMAD_ALLOC_ID": alloc.id, "NOMAD_ALLOC_NAME": alloc.name,
           "NOMAD_ALLOC_INDEX": str(alloc.index()), "NOMAD_NAMESPACE": alloc.namespace,
           "NOMAD_DC": node.datacenter, **port_vars(alloc, task or "")}
    attrs = interpolation_vars(alloc, _task_or_empty(alloc, task), node,
                               job.region if job else "global")
    address, port = address_of(alloc, node, service.port_label, task)
    name = interpolate(service.name, env, attrs)
    return ServiceRegistration(
        id=f"_nomad-task-{alloc.id}-{owner}-{name}-{service.port_label}",
        service_name=name, namespace=alloc.namespace, node_id=node.id,
        datacenter=node.datacenter, job_id=alloc.job_id, alloc_id=alloc.id,
        tags=[interpolate(t, env, attrs) for t in service.tags] if service.tags else None,
        address=interpolate(service.address, env, attrs) if service.address else address,
        port=port)


def address_of(alloc: Allocation, node: Node, label: str, task: str | None
               ) -> tuple[str, int]:
    """The node address and host port of port `label` (or a number written as the label)
    in the allocation: a group port, or one of `task`'s legacy ports."""
    node_ip = next((n.ip for n in node.node_resources.networks or [] if n.ip),
                   node.attributes.get("unique.network.ip-address", ""))
    if not label:
        return node_ip, 0
    if label.isdigit():
        return node_ip, int(label)
    allocated = alloc.allocated_resources
    for port in allocated.shared.ports or []:
        if port.label == label:
            return port.host_ip, port.value
    own = allocated.tasks.get(task or "")
    for network in (own.networks if own else None) or []:
        for legacy in network.ports():
            if legacy.label == label:
                return network.ip, legacy.value
    return node_ip, 0


def _task_or_empty(alloc: Allocation, task: str | None) -> Task:
    """The task whose meta `${meta.x}` reads; a nameless one for a group service."""
    group = alloc.job.group(alloc.task_group) if alloc.job else None
    found = group.task(task) if group and task else None
    return found or Task(name=task or "")
