"""Everything a task runner needs to know about its task, and the TaskConfig it gives drivers.

The driver sees only what `task_config()` builds: the task's interpolated driver
config, its environment, resources, directories and log settings, never the Job.
"""

from __future__ import annotations

import pwd
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from caravan.client.allocdir import AllocDir, TaskDir
from caravan.client.artifacts import ArtifactHook, legacy_artifacts
from caravan.client.drivers.base import (
    Capabilities,
    Driver,
    TaskConfig,
    TaskMount,
    TaskResources,
)
from caravan.client.taskenv import (
    TaskEnvDirs,
    build_task_env,
    env_denylist,
    interpolate_config,
    interpolation_vars,
)
from caravan.client.taskrunner.artifact_hook import ArtifactPrestartHook
from caravan.client.taskrunner.dispatch_hook import DispatchPayloadHook
from caravan.client.identity import TaskIdentities
from caravan.client.taskapi import TaskAPIConfig, TaskAPIServer
from caravan.client.taskrunner.hooks import EventSink, TaskHook
from caravan.client.taskrunner.identity_hook import IdentityHook
from caravan.client.taskrunner.taskapi_hook import TaskAPIHook
from caravan.client.taskrunner.taskdir_hook import TaskDirHook
from caravan.client.taskrunner.template_hook import TaskControl, TemplateHook
from caravan.client.template.files import AllocFiles
from caravan.client.template.source import AsTask, TemplateSource
from caravan.client.taskrunner.validate_hook import ValidateHook
from caravan.clock import NS_PER_SECOND, Clock
from caravan.config.agent import ClientConfig
from caravan.errors import DriverError
from caravan.structs import Allocation, Node, Task

_MB = 1024 * 1024
DEFAULT_KILL_TIMEOUT_NS = 5 * NS_PER_SECOND


@dataclass
class TaskSetup:
    alloc: Allocation  # replaced when the server sends a newer version
    task: Task
    driver: Driver | None  # None when this node lacks the task's driver
    alloc_dir: AllocDir
    state_dir: Path  # the driver's private directory for this task
    node: Node
    client: ClientConfig
    clock: Clock
    host_env: Mapping[str, str]
    # The node's workload identities (None in tests that run a task with no server).
    identities: TaskIdentities | None = None
    task_api: TaskAPIConfig | None = None  # None: no secrets/api.sock
    template_source: TemplateSource | None = None  # None: templates see no cluster data

    @property
    def task_dir(self) -> TaskDir:
        return self.alloc_dir.task_dir(self.task.name)

    def require_driver(self) -> Driver:
        if self.driver is None:
            raise DriverError(f'failed to initialize task driver: driver "{self.task.driver}" '
                              "is not available on this node")
        return self.driver

    def capabilities(self) -> Capabilities:
        return self.driver.capabilities() if self.driver else Capabilities()

    def hooks(self, emit: EventSink, control: TaskControl) -> list[TaskHook]:
        """The prestart/stop hooks, in the order they run; `control` is the task runner."""
        fetcher = ArtifactHook(self.client.artifact, owner=self._owner(),
                               alloc_dir=self.alloc_dir.path)
        hooks: list[TaskHook] = [
            ValidateHook(self.client.options, self.clock), TaskDirHook(emit, self.clock),
            ArtifactPrestartHook(fetcher, emit, self.clock, self.interpolation_vars(),
                                 self.client_env), DispatchPayloadHook()]
        if self.identities is not None:
            hooks.append(IdentityHook(self.identities, self._owner()))
        hooks.append(TemplateHook(AllocFiles(self.alloc_dir.path, self.task.name),
                                  self._template_source(), self.driver, control, emit,
                                  self.clock, self.client_env, self.interpolation_vars(),
                                  self.client.template))
        if self.identities is not None and self.task_api is not None:
            # Last: it mounts an exec task's secrets tmpfs, filled from what the hooks
            # before it wrote below.
            hooks.append(TaskAPIHook(self._task_api_server, self._owner()))
        return hooks

    def _task_api_server(self) -> TaskAPIServer:
        assert self.identities is not None and self.task_api is not None
        identities, alloc_id, task = self.identities, self.alloc.id, self.task.name
        return TaskAPIServer(self.task_api, lambda: identities.token(alloc_id, task))

    def _template_source(self) -> TemplateSource | None:
        """Templates read the cluster as the task, with its workload identity."""
        source, identities = self.template_source, self.identities
        if source is None or identities is None:
            return source
        alloc_id, task = self.alloc.id, self.task.name
        return AsTask(source, lambda: identities.token(alloc_id, task))

    def interpolation_vars(self) -> dict[str, str]:
        region = self.alloc.job.region if self.alloc.job else "global"
        return interpolation_vars(self.alloc, self.task, self.node, region)

    def _owner(self) -> tuple[int, int] | None:
        """The task user's (uid, gid), for artifacts with `chown = true`."""
        name = self.task.user or ("nobody" if self.capabilities().fs_isolation == "chroot"
                                  else "")
        if not name:
            return None
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            return None  # the driver reports the unknown user when it starts the task
        return entry.pw_uid, entry.pw_gid

    def kill_timeout_s(self) -> float:
        timeout_ns = self.task.kill_timeout
        timeout_s = (DEFAULT_KILL_TIMEOUT_NS if timeout_ns is None else timeout_ns) / 1e9
        return min(timeout_s, self.client.max_kill_timeout)

    def kill_signal(self) -> str:
        return self.task.kill_signal or "SIGINT"

    def env_dirs(self) -> TaskEnvDirs:
        """Directory variables as the task sees them: host paths unless the driver chroots."""
        if self.capabilities().fs_isolation == "chroot":
            return TaskEnvDirs(alloc_dir="/alloc", task_dir="/local", secrets_dir="/secrets")
        return self.host_dirs()

    def host_dirs(self) -> TaskEnvDirs:
        """Directory variables as the agent sees them, whatever the driver."""
        task_dir = self.task_dir
        return TaskEnvDirs(alloc_dir=str(self.alloc_dir.shared_dir),
                           task_dir=str(task_dir.local_dir), secrets_dir=str(task_dir.secrets_dir))

    def task_env(self, hook_env: Mapping[str, str]) -> dict[str, str]:
        env = build_task_env(alloc=self.alloc, task=self.task, node=self.node,
                             dirs=self.env_dirs(), host_env=self.host_env,
                             denylist=env_denylist(self.client.options))
        return {**env, **hook_env}

    def client_env(self) -> dict[str, str]:
        """The task's environment built with host paths (Nomad's client env): what the
        agent's own file work (artifact destinations) interpolates."""
        return build_task_env(alloc=self.alloc, task=self.task, node=self.node,
                              dirs=self.host_dirs(), host_env=self.host_env,
                              denylist=env_denylist(self.client.options))

    def task_config(self, hook_env: Mapping[str, str]) -> TaskConfig:
        env = self.task_env(hook_env)
        task, task_dir = self.task, self.task_dir
        logs = task.log_config
        return TaskConfig(
            id=f"{self.alloc.id}/{task.name}", alloc_id=self.alloc.id, task_name=task.name,
            group_name=self.alloc.task_group, job_id=self.alloc.job_id,
            # Legacy `artifact_source`/`checksum` keys are the artifact hook's, not the driver's.
            driver_config=interpolate_config(legacy_artifacts(task.config)[1], env,
                                             self.interpolation_vars()),
            env=env, user=task.user, resources=self._resources(),
            alloc_dir=self.alloc_dir.shared_dir, task_dir=task_dir.path, state_dir=self.state_dir,
            stdout_path=task_dir.log_path("stdout"), stderr_path=task_dir.log_path("stderr"),
            log_max_files=logs.max_files if logs else 10,
            log_max_file_size=(logs.max_file_size_mb if logs else 10) * _MB,
            logs_disabled=logs.disabled if logs else False,
            kill_signal=self.kill_signal(), kill_timeout_s=self.kill_timeout_s(),
            mounts=self._mounts(), secrets_mb=task.resources.secrets_mb or 1)

    def _mounts(self) -> list[TaskMount]:
        """The task's volume_mounts as host paths, from the group's host volumes."""
        group = self.alloc.job.group(self.alloc.task_group) if self.alloc.job else None
        requests = (group.volumes if group else None) or {}
        mounts: list[TaskMount] = []
        for vm in self.task.volume_mounts or []:
            request = requests.get(vm.volume)
            if request is None or request.type != "host":
                raise DriverError(f'volume_mount references unknown volume "{vm.volume}"')
            volume = self.client.host_volume.get(request.source)
            if volume is None:
                raise DriverError(f'host volume "{request.source}" is not configured on '
                                  "this client")
            read_only = vm.read_only or request.read_only or volume.read_only
            mounts.append(TaskMount(host_path=Path(volume.path), task_path=vm.destination,
                                    read_only=read_only))
        return mounts

    def _resources(self) -> TaskResources:
        allocated = self.alloc.allocated_resources.tasks.get(self.task.name)
        if allocated is not None:
            return TaskResources(cpu_shares=allocated.cpu.cpu_shares,
                                 memory_mb=allocated.memory.memory_mb,
                                 memory_max_mb=allocated.memory.memory_max_mb,
                                 cores=list(allocated.cpu.reserved_cores or []))
        r = self.task.resources
        return TaskResources(cpu_shares=r.cpu or 0, memory_mb=r.memory_mb or 0,
                             memory_max_mb=r.memory_max_mb or 0)
