"""A task's environment variables and `${...}` interpolation, as Nomad builds them.

Build order (later wins): NOMAD_* variables -> task meta (NOMAD_META_*) -> the host
environment minus `env.denylist` and the agent's own credentials (only keys not yet
set) -> the task's `env` block,
interpolated. Directory variables are the paths *the task sees*: host paths for
raw_exec, `/alloc`, `/local`, `/secrets` for a chroot driver (`TaskEnvDirs`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from caravan.client.drivers.base import cpuset
from caravan.structs import Allocation, Node, Task

DEFAULT_ENV_DENYLIST = (
    "CONSUL_TOKEN", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "NOMAD_TOKEN", "VAULT_TOKEN",
    "CONSUL_LICENSE", "NOMAD_LICENSE", "VAULT_LICENSE", "CONSUL_LICENSE_PATH",
    "NOMAD_LICENSE_PATH", "VAULT_LICENSE_PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN", "AWS_METADATA_URL", "GOOGLE_APPLICATION_CREDENTIALS",
    "GOOGLE_OAUTH_ACCESS_TOKEN",
)
# The agent's own credentials, under caravan's names and the Nomad names caravan also
# reads: kept from every task (and so every exec session) whatever `env.denylist` says,
# since a task holding them acts as the operator (GH-7131, GH-24540).
AGENT_CREDENTIALS = (
    "CARAVAN_TOKEN", "NOMAD_TOKEN", "CARAVAN_HTTP_AUTH", "NOMAD_HTTP_AUTH",
    "CARAVAN_CLIENT_KEY", "NOMAD_CLIENT_KEY", "CARAVAN_CLIENT_INTRO_TOKEN",
    "NOMAD_CLIENT_INTRO_TOKEN",
)
_CLEANED_PREFIXES = ("NOMAD_ADDR_", "NOMAD_IP_", "NOMAD_PORT_", "NOMAD_HOST_PORT_", "NOMAD_META_")
_SIMPLE = re.compile(r"\$\{([a-zA-Z0-9_.-]+)\}")
_EXPRESSION = re.compile(r"\$\{\s*([^{}]+?)\s*\}")
_ENV_INDEX = re.compile(r'^env\[\s*"([^"]*)"\s*\]$')


@dataclass(frozen=True)
class TaskEnvDirs:
    alloc_dir: str
    task_dir: str
    secrets_dir: str


def env_denylist(client_options: Mapping[str, str]) -> frozenset[str]:
    """The agent's credentials plus the client option `env.denylist` (comma separated),
    which replaces Nomad's default list as in Nomad (`env.blacklist` is its old name)."""
    option = client_options.get("env.denylist", client_options.get("env.blacklist"))
    if option is None:
        listed = list(DEFAULT_ENV_DENYLIST)
    else:
        listed = [k.strip() for k in option.split(",") if k.strip()]
    return frozenset((*AGENT_CREDENTIALS, *listed))


def node_attributes(node: Node, region: str) -> dict[str, str]:
    """The `node.*`, `attr.*` and `meta.*` names interpolation may use."""
    attrs = {"node.unique.id": node.id, "node.unique.name": node.name,
             "node.datacenter": node.datacenter, "node.class": node.node_class,
             "node.pool": node.node_pool, "node.region": region}
    for key, value in node.attributes.items():
        attrs[f"attr.{key}"] = attrs[f"node.attr.{key}"] = value
    for key, value in node.meta.items():
        attrs[f"meta.{key}"] = attrs[f"node.meta.{key}"] = value
    return attrs


def interpolation_vars(alloc: Allocation, task: Task, node: Node, region: str) -> dict[str, str]:
    """Node names plus `meta.<k>` from the job's meta merged task over group over job
    (which wins over the node's meta of the same key; `node.meta.<k>` stays the node's)."""
    merged = {f"meta.{k}": v for k, v in merged_meta(alloc, task).items()}
    return {**node_attributes(node, region), **merged}


def build_task_env(*, alloc: Allocation, task: Task, node: Node, dirs: TaskEnvDirs,
                   host_env: Mapping[str, str], denylist: Collection[str]) -> dict[str, str]:
    job = alloc.job
    region = job.region if job else "global"
    attrs = node_attributes(node, region)
    env = _nomad_vars(alloc, task, node, dirs)
    for key, value in merged_meta(alloc, task).items():
        for name in (f"NOMAD_META_{key}", f"NOMAD_META_{key.upper()}"):
            env[interpolate(name, env, attrs)] = interpolate(value, env, attrs)
    for key, value in host_env.items():
        if key not in env and key not in denylist:
            env[key] = value
    for key, value in (task.env or {}).items():
        env[key] = interpolate(value, env, attrs)
    return {_clean_key(k): v for k, v in env.items()}


def merged_meta(alloc: Allocation, task: Task) -> dict[str, str]:
    """Job meta, overridden by the group's, overridden by the task's."""
    job = alloc.job
    group = job.group(alloc.task_group) if job else None
    return {**((job.meta if job else None) or {}), **((group.meta if group else None) or {}),
            **(task.meta or {})}


def _nomad_vars(alloc: Allocation, task: Task, node: Node, dirs: TaskEnvDirs) -> dict[str, str]:
    job = alloc.job
    allocated = alloc.allocated_resources.tasks.get(task.name)
    cpu = allocated.cpu.cpu_shares if allocated else (task.resources.cpu or 0)
    memory = allocated.memory.memory_mb if allocated else (task.resources.memory_mb or 0)
    memory_max = allocated.memory.memory_max_mb if allocated \
        else (task.resources.memory_max_mb or 0)
    values = {
        "NOMAD_ALLOC_DIR": dirs.alloc_dir, "NOMAD_TASK_DIR": dirs.task_dir,
        "NOMAD_SECRETS_DIR": dirs.secrets_dir,
        "NOMAD_MEMORY_LIMIT": str(memory or ""), "NOMAD_MEMORY_MAX_LIMIT": str(memory_max or ""),
        "NOMAD_CPU_LIMIT": str(cpu or ""),
        "NOMAD_CPU_CORES": cpuset((allocated.cpu.reserved_cores or []) if allocated else []),
        "NOMAD_ALLOC_ID": alloc.id, "NOMAD_SHORT_ALLOC_ID": alloc.id[:8],
        "NOMAD_ALLOC_NAME": alloc.name, "NOMAD_ALLOC_INDEX": str(alloc.index()),
        "NOMAD_GROUP_NAME": alloc.task_group, "NOMAD_TASK_NAME": task.name,
        "NOMAD_JOB_ID": job.id if job else alloc.job_id, "NOMAD_JOB_NAME": job.name if job else "",
        "NOMAD_JOB_PARENT_ID": job.parent_id if job else "",
        "NOMAD_DC": node.datacenter, "NOMAD_NAMESPACE": alloc.namespace,
        "NOMAD_REGION": job.region if job else "",
    }
    values.update(port_vars(alloc, task.name))
    return {k: v for k, v in values.items() if v}


def port_vars(alloc: Allocation, task: str) -> dict[str, str]:
    """Nomad's port variables: every group port, then the task's own legacy ports.

    `NOMAD_PORT_<label>` is the port the task listens on (`to` when mapped, else the host
    port), `NOMAD_HOST_PORT_<label>` the node's; the `_IP_`, `_ADDR_`, `_HOST_IP_`,
    `_HOST_ADDR_` forms give the node's address.
    """
    out: dict[str, str] = {}
    allocated = alloc.allocated_resources
    for port in allocated.shared.ports or []:
        inside = str(port.to if port.to > 0 else port.value)
        address = _join(port.host_ip, port.value)
        out.update({f"NOMAD_IP_{port.label}": port.host_ip,
                    f"NOMAD_HOST_IP_{port.label}": port.host_ip,
                    f"NOMAD_ADDR_{port.label}": address,
                    f"NOMAD_HOST_ADDR_{port.label}": address,
                    f"NOMAD_PORT_{port.label}": inside,
                    f"NOMAD_ALLOC_PORT_{port.label}": inside,
                    f"NOMAD_HOST_PORT_{port.label}": str(port.value)})
    own = allocated.tasks.get(task)
    for network in (own.networks if own else None) or []:
        for legacy in network.ports():
            out.update({f"NOMAD_IP_{legacy.label}": network.ip,
                        f"NOMAD_ADDR_{legacy.label}": _join(network.ip, legacy.value),
                        f"NOMAD_PORT_{legacy.label}": str(legacy.value),
                        f"NOMAD_HOST_PORT_{legacy.label}": str(legacy.value)})
    return out


def _join(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _clean_key(key: str) -> str:
    """Nomad replaces odd characters in port/meta variable names (see its issue #2405)."""
    if not key.startswith(_CLEANED_PREFIXES):
        return key
    return "".join(c if c.isalnum() and c.isascii() or c in "_." else "_" for c in key)


def interpolate(text: str, env: Mapping[str, str], node_attrs: Mapping[str, str]) -> str:
    """Simple `${name}` substitution: env first, then node attributes; unknown names stay."""
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        found = env.get(name, node_attrs.get(name))
        return match.group(0) if found is None else found
    return _SIMPLE.sub(replace, text)


def interpolate_config(value: Any, env: Mapping[str, str], node_attrs: Mapping[str, str]) -> Any:
    """Every string in a driver `config` value, with the variables of Nomad's HCL evaluation:
    env names, `env["K"]`, `node.*`, `attr.*`/`node.attr.*`, `meta.*`/`node.meta.*`.
    Unknown variables are left as written."""
    if isinstance(value, str):
        return _EXPRESSION.sub(lambda m: _resolve(m, env, node_attrs), value)
    if isinstance(value, list):
        return [interpolate_config(v, env, node_attrs) for v in value]
    if isinstance(value, dict):
        return {k: interpolate_config(v, env, node_attrs) for k, v in value.items()}
    return value


def _resolve(match: re.Match[str], env: Mapping[str, str], node_attrs: Mapping[str, str]) -> str:
    expr = match.group(1)
    if indexed := _ENV_INDEX.match(expr):
        found = env.get(indexed.group(1))
    else:
        found = env.get(expr, node_attrs.get(expr))
    return match.group(0) if found is None else found
