"""The client agent: one per node. Registers, pulls its allocations, runs them, reports them.

    start(): identity ─▶ drivers + fingerprint ─▶ restore allocs from local state
             (re-attaching to running tasks) ─▶ loops: heartbeat, alloc watch,
             update reporter, driver fingerprint
    stop():  loops end; alloc runners are cancelled, their tasks keep running
             (unless destroy_allocs), so the next start re-attaches to them

The loops and the alloc runners' tasks belong to one `Supervisor`: a loop that dies
is logged and `wait_failed()` returns, so the agent stops rather than running on
with, say, no heartbeat. A failing alloc runner is logged and ends only that alloc.

The alloc watch is a blocking query on the node's allocations; each answer is
reconciled against the alloc runners: new allocations start, changed ones are
updated (a stop kills their tasks), ones the server no longer lists are destroyed.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from caravan import process
from caravan.client.allocdir import AllocDir, mount_alloc_root
from caravan.client.hoststats import HostStatsCollector
from caravan.client.allocrunner.runner import AllocRunner, AllocRunnerDeps
from caravan.client.audit import AuditedSession, AuditFiles, ExecAudit
from caravan.client.debug import DebugCopies
from caravan.client.drivers.base import (
    Driver,
    DriverContext,
    DriverFingerprint,
    ExecStream,
    TaskHandle,
)
from caravan.client.drivers.registry import DRIVERS
from caravan.client.forward_target import forward_target
from caravan.client.fingerprint.drivers import fingerprint_drivers, same_health
from caravan.client.fingerprint.node_facts import fingerprint_host
from caravan.client.heartbeat import Heartbeater
from caravan.client.identity import TaskIdentities
from caravan.client.node import NodeIdentity, build_node, read_intro_token
from caravan.client.gc import AllocGarbageCollector
from caravan.client.node_meta import DynamicMeta
from caravan.client.orphans import live_tasks, remove_orphans
from caravan.client.rpc import ClusterReads, ServerRPC
from caravan.client.taskapi import TaskAPIConfig
from caravan.client.template.source import ServerSource
from caravan.client.state import ClientStateStore, LocalAllocState
from caravan.client.taskrunner.events import rfc3339
from caravan.client.taskrunner.runner import TaskRunner
from caravan.client.updates import UpdateReporter
from caravan.clock import Clock
from caravan.config.agent import AgentConfig
from caravan.config.tls import agent_client_context, agent_url
from caravan.errors import CaravanError, InvalidInput, NotFound
from caravan.execproto.copy import CopyRequest
from caravan.ids import IdGenerator
from caravan.structs import AllocClientUpdate, Allocation, CheckQueryResult, Node, TaskState
from caravan.structs.exec_audit import ExecSession
from caravan.structs.hoststats import HostStats
from caravan.structs.node_meta import NodeMetaResponse, merged_meta
from caravan.structs.stats import AllocResourceUsage
from caravan.supervisor import Supervisor, TaskFailure

log = logging.getLogger(__name__)

WATCH_WAIT_S = 30.0
FINGERPRINT_PERIOD_S = 30.0
# How long a collect waits for an allocation whose tasks just died to finish its run.
_FINISH_S = 5.0


class RemoteExecDisabled(CaravanError):
    """`disable_remote_exec = true`. Nomad's error carries no code, so a session ends 1011."""

    status = 500

    def __init__(self) -> None:
        super().__init__("Permission denied")


@dataclass(frozen=True)
class ExecTarget:
    """What must be checked before an `alloc exec` session into a local allocation."""

    namespace: str
    client_status: str
    # The task driver's filesystem isolation; None when the group has no such task.
    fs_isolation: str | None


async def executor_interpreter() -> str:
    """The executor needs only the standard library; the system's python3 starts about
    twice as fast as a virtualenv's, and each task start pays it once."""
    system = "/usr/bin/python3"
    if os.access(system, os.X_OK):
        try:
            check = await process.run([system, "-I", "-S", "-c",
                                       "import sys; sys.exit(sys.version_info < (3, 11))"],
                                      timeout_s=30)
        except CaravanError as err:
            log.warning("not using %s for executors: %s", system, err)
        else:
            if check.returncode == 0:
                return system
    return sys.executable


class Client:
    def __init__(self, config: AgentConfig, *, data_dir: Path, http_addr: str,
                 servers: list[str], clock: Clock, new_id: IdGenerator,
                 host_env: Mapping[str, str] | None = None,
                 executor_python: str | None = None) -> None:
        self.config = config
        self.data_dir = data_dir
        self.http_addr = http_addr.split("://", 1)[-1]
        self.clock = clock
        self.identity = NodeIdentity.load_or_create(data_dir / "client", new_id)
        self.rpc = ServerRPC(servers, self.identity.secret, tls=config.tls,
                             region=config.region,
                             intro_token=config.client.intro_token
                             or read_intro_token(data_dir / "client"))
        self.store = ClientStateStore(data_dir / "client")
        self.audit = ExecAudit(AuditFiles(data_dir / "client"), config.client.exec_recording,
                               clock, new_id, self.rpc, self.identity.id)
        self.host_env = dict(os.environ if host_env is None else host_env)
        self._executor_python = executor_python
        self.drivers: dict[str, Driver] = {}  # built by start()
        self._driver_health: dict[str, DriverFingerprint] = {}
        self.node: Node = Node()
        self._host_stats = HostStatsCollector(data_dir / "alloc")
        self.dynamic_meta = DynamicMeta(data_dir / "client")
        self.identities = TaskIdentities(
            lambda alloc_id, task: self.rpc.sign_identity(self.identity.id, alloc_id, task),
            clock)
        self.task_api = TaskAPIConfig(agent_url(config.tls, self.http_addr),
                                      agent_client_context(config.tls) or True)
        self.heartbeater = Heartbeater(self.rpc, lambda: self.node, self.identity.secret)
        self.reporter = UpdateReporter(self.rpc, self.identity.id, self._client_update)
        self._runners: dict[str, AllocRunner] = {}
        self._alloc_tasks: dict[str, asyncio.Task[None]] = {}
        # Allocs whose destruction has begun: a later pull that still omits them must not
        # start a second destroy while the first one waits for the tasks to stop.
        self._destroying: dict[str, asyncio.Event] = {}
        self._loops = Supervisor("client")
        self._watch: asyncio.Task[None] | None = None
        self.gc = AllocGarbageCollector(config.client, data_dir / "alloc",
                                        lambda: len(self._runners), self._collect_alloc)
        # Collected here while the server still lists them: never started again.
        self._collected: set[str] = set()
        self._debug = DebugCopies()

    # --- lifecycle -------------------------------------------------------------

    async def start(self) -> None:
        """Build drivers, fingerprint, restore local allocations, start the loops."""
        began = time.monotonic()
        self.drivers = await self._build_drivers()
        await self._fingerprint()
        await asyncio.to_thread(mount_alloc_root, self.data_dir / "alloc")
        saved_allocs = await asyncio.to_thread(self.store.load_allocs)
        for removed in await remove_orphans(self.data_dir, self.drivers,
                                            live_tasks(saved_allocs)):
            log.info("removed %s left behind by no running task of this client", removed)
        await asyncio.to_thread(self._remove_unknown_alloc_dirs, {s.alloc.id for s in saved_allocs})
        await asyncio.to_thread(self.audit.start, {s.alloc.id for s in saved_allocs})
        for saved in saved_allocs:
            self._add_runner(saved.alloc, saved)
        self._loops.spawn(self.heartbeater.run(), "heartbeat")
        self._watch = self._loops.spawn(self._watch_allocs(), "alloc-watch")
        self._loops.spawn(self._report_updates(), "alloc-updates")
        self._loops.spawn(self._push_audit(), "exec-audit")
        self._loops.spawn(self._fingerprint_loop(), "fingerprint")
        self._loops.spawn(self.gc.run(), "alloc-gc")
        self._loops.spawn(self._log_restored(list(self._runners.values()), began),
                          "restore report", critical=False)

    @staticmethod
    async def _log_restored(runners: list[AllocRunner], began: float) -> None:
        held = await asyncio.gather(*(r.wait_restored() for r in runners))
        log.info("restored %d allocations: %d tasks re-attached in %.2fs", len(runners),
                 sum(held), time.monotonic() - began)

    async def _build_drivers(self) -> dict[str, Driver]:
        cfg = self.config
        context = DriverContext(
            client_options=dict(cfg.client.options),
            executor_python=self._executor_python or await executor_interpreter(),
            chroot_env=dict(cfg.client.chroot_env),
            state_root=self.data_dir / "client" / "drivers")
        return {name: cls(cfg.plugin_config(name), context)
                for name, cls in DRIVERS.items() if _driver_allowed(name, cfg.client.options)}

    async def wait_failed(self) -> TaskFailure:
        """Returns once one of the client's loops has died (see `Supervisor`)."""
        return await self._loops.wait_failed()

    def _remove_unknown_alloc_dirs(self, known: set[str]) -> None:
        """Alloc dirs with no saved state belong to nothing this client runs any more."""
        root = self.data_dir / "alloc"
        for path in root.iterdir() if root.is_dir() else []:
            if path.is_dir() and path.name not in known:
                log.info("removing alloc dir %s: no allocation owns it", path)
                AllocDir(root, path.name).destroy()

    async def stop(self, destroy_allocs: bool = False) -> None:
        """End the loops. Tasks keep running unless `destroy_allocs` (then they are killed)."""
        if self._watch is not None:
            self._watch.cancel()  # no new allocations from here on
        if destroy_allocs:
            await asyncio.gather(*(self._destroy_alloc(i) for i in list(self._runners)))
        await self._loops.aclose()  # the other loops and every alloc runner's task
        try:
            async with asyncio.timeout(2.0):
                await self.reporter.flush()  # the last state, best effort
        except TimeoutError:
            pass
        for driver in self.drivers.values():
            await driver.close()
        await self.rpc.aclose()
        await self.task_api.aclose()

    async def wait_registered(self) -> None:
        await self.heartbeater.registered.wait()

    async def _report_updates(self) -> None:
        await self.heartbeater.registered.wait()
        await self.reporter.run()

    async def _push_audit(self) -> None:
        await self.heartbeater.registered.wait()
        await self.audit.run()

    # --- fingerprint ---------------------------------------------------------------

    async def _fingerprint(self) -> None:
        host = await asyncio.to_thread(fingerprint_host, self.http_addr, self.data_dir,
                                       self.config.client.network_interface)
        self._driver_health = await asyncio.to_thread(fingerprint_drivers, self.drivers)
        node = build_node(self.config, self.identity, host, self._driver_health,
                          self.http_addr, rfc3339(self.clock.now_ns()))
        self.node = node.model_copy(update={"meta": self._meta()})
        self.audit.node_name = self.node.name

    async def _fingerprint_loop(self) -> None:
        while True:
            await asyncio.sleep(FINGERPRINT_PERIOD_S)
            before = self._driver_health
            await self._fingerprint()
            if before.keys() != self._driver_health.keys() or not all(
                    same_health(before[n], self._driver_health[n]) for n in before):
                log.info("driver health changed; registering the node again")
                self.heartbeater.reregister()

    # --- dynamic node metadata ----------------------------------------------------------

    def _meta(self) -> dict[str, str]:
        return merged_meta(dict(self.config.client.meta), self.dynamic_meta.values)

    def node_meta(self) -> NodeMetaResponse:
        return NodeMetaResponse(meta=dict(self.node.meta), dynamic=dict(self.dynamic_meta.values),
                                static=dict(self.config.client.meta))

    async def apply_node_meta(self, changes: dict[str, str | None]) -> NodeMetaResponse:
        """Persist the change, then send the node to the servers again (constraints on
        `${meta.<key>}` see it from the next evaluation on)."""
        await asyncio.to_thread(self.dynamic_meta.apply, changes,
                                dict(self.config.client.meta))
        self.node = self.node.model_copy(update={"meta": self._meta()})
        self.heartbeater.reregister()
        return self.node_meta()

    # --- allocations -------------------------------------------------------------------

    async def _watch_allocs(self) -> None:
        await self.heartbeater.registered.wait()
        index = 0
        while True:
            try:
                allocs, new_index = await self.rpc.allocations(self.identity.id, index,
                                                               WATCH_WAIT_S)
            except CaravanError as err:
                log.warning("pulling allocations failed: %s", err)
                if isinstance(err, NotFound):
                    self.heartbeater.reregister()
                await asyncio.sleep(1.0)
                continue
            if new_index == index:
                await asyncio.sleep(0.1)  # a server that does not block must not spin us
            index = new_index
            self._reconcile(allocs)

    def _reconcile(self, allocs: list[Allocation]) -> None:
        listed = {a.id for a in allocs}
        self._collected &= listed
        for alloc in allocs:
            runner = self._runners.get(alloc.id)
            if runner is None:
                if not alloc.terminal() and alloc.job is not None \
                        and alloc.id not in self._collected:
                    self._add_runner(alloc)
            elif _changed(runner.alloc, alloc):
                runner.update(alloc)
        for alloc_id in set(self._runners) - listed - self._destroying.keys():
            self._loops.spawn(self._destroy_alloc(alloc_id), f"destroy {alloc_id}",
                              critical=False)

    def _add_runner(self, alloc: Allocation, restored: LocalAllocState | None = None) -> None:
        deps = AllocRunnerDeps(
            drivers=self.drivers, alloc_root=self.data_dir / "alloc",
            executor_root=self.data_dir / "client" / "executor", node=self.node,
            client=self.config.client, clock=self.clock, host_env=self.host_env,
            store=self.store, identities=self.identities, task_api=self.task_api,
            template_source=ServerSource(ClusterReads(self.rpc)))
        runner = AllocRunner(alloc, deps, self.reporter.mark, restored)
        self._runners[alloc.id] = runner
        self._alloc_tasks[alloc.id] = self._loops.spawn(
            self._run_alloc(runner), f"alloc {alloc.id}", critical=False)
        self.reporter.mark(alloc.id)

    async def _run_alloc(self, runner: AllocRunner) -> None:
        try:
            await runner.run()
        except Exception:
            # A broken alloc runner must not take the client down; its tasks keep their
            # last reported state and are cleaned up when the server drops the alloc.
            log.exception("alloc runner for %s failed", runner.alloc.id)
        finally:
            self.reporter.mark(runner.alloc.id)
            if runner.done:
                self.gc.mark(runner.alloc.id)

    async def _destroy_alloc(self, alloc_id: str) -> None:
        runner, task = self._runners.get(alloc_id), self._alloc_tasks.get(alloc_id)
        if runner is None or task is None:
            return
        if (done := self._destroying.get(alloc_id)) is not None:
            await done.wait()  # `stop(destroy_allocs=True)` waits for one already under way
            return
        self._destroying[alloc_id] = asyncio.Event()
        self.gc.forget(alloc_id)
        try:
            if not task.done():
                await runner.stop()
            await asyncio.gather(task, return_exceptions=True)
            await self._debug.end(alloc_id)  # before its task dirs go
            await runner.destroy()
            await asyncio.to_thread(self.audit.remove_alloc, alloc_id)
            self._runners.pop(alloc_id, None)
            self._alloc_tasks.pop(alloc_id, None)
        finally:
            self._destroying.pop(alloc_id).set()

    async def collect_alloc(self, alloc_id: str) -> bool:
        """`/v1/client/allocation/<id>/gc`: collect a terminal allocation now."""
        await self._let_finish([alloc_id])
        return await self.gc.collect(alloc_id)

    async def collect_all_allocs(self) -> list[str]:
        """`/v1/client/gc`: collect every terminal allocation now."""
        await self._let_finish(list(self._runners))
        return await self.gc.collect_all()

    async def _let_finish(self, alloc_ids: list[str]) -> None:
        """Allocations whose tasks have all just died get a moment to end their run (and
        so become collectable): the server may report them terminal before that."""
        ending = []
        for alloc_id in alloc_ids:
            runner, task = self._runners.get(alloc_id), self._alloc_tasks.get(alloc_id)
            if runner is not None and task is not None and not task.done() and \
                    all(r.is_dead for r in runner.tasks.values()):
                ending.append(asyncio.shield(task))
        if ending:
            await asyncio.wait(ending, timeout=_FINISH_S)

    async def _collect_alloc(self, alloc_id: str) -> bool:
        """The garbage collector's destroy of a terminal allocation; False if not now."""
        runner = self._runners.get(alloc_id)
        if runner is None or not runner.done:
            return False
        # Its final state reaches the server first: a server still thinking it runs
        # would otherwise keep listing it as live.
        self.reporter.mark(alloc_id)
        if not await self.reporter.flush():
            return False
        self._collected.add(alloc_id)
        await self._destroy_alloc(alloc_id)
        return True

    def _client_update(self, alloc_id: str) -> AllocClientUpdate | None:
        runner = self._runners.get(alloc_id)
        return runner.client_update() if runner else None

    # --- for the HTTP layer ----------------------------------------------------------------

    @property
    def node_id(self) -> str:
        return self.identity.id

    def servers(self) -> list[str]:
        return self.rpc.servers_in_turn()

    async def host_stats(self) -> HostStats:
        total = float(self.node.attributes.get("cpu.totalcompute", "0") or 0)
        return await self._host_stats.collect(total)

    def alloc_runner(self, alloc_id: str) -> AllocRunner | None:
        return self._runners.get(alloc_id)

    def alloc_client_statuses(self) -> list[str]:
        """The client status of every allocation this client runs (for /v1/metrics)."""
        updates = (self._client_update(alloc_id) for alloc_id in list(self._runners))
        return [u.client_status for u in updates if u is not None]

    def alloc_dir(self, alloc_id: str) -> Path | None:
        runner = self._runners.get(alloc_id)
        return runner.alloc_dir.path if runner else None

    def task_state(self, alloc_id: str, task: str) -> TaskState | None:
        runner = self._runners.get(alloc_id)
        tr = runner.tasks.get(task) if runner else None
        return tr.task_state.model_copy(deep=True) if tr else None

    async def signal_task(self, alloc_id: str, task: str, signal: str) -> None:
        """`alloc signal`: one task, or every running task when `task` is empty."""
        await self._require(alloc_id).signal(task, signal)

    async def restart_alloc(self, alloc_id: str, task: str = "") -> None:
        """`alloc restart`: one task, or every running task when `task` is empty."""
        reason = "User requested task to restart" if task else \
            "User requested running tasks to restart"
        await self._require(alloc_id).restart(task, reason)

    async def restart_task(self, alloc_id: str, task: str) -> None:
        await self.restart_alloc(alloc_id, task)

    async def stats(self, alloc_id: str) -> AllocResourceUsage:
        return await self._require(alloc_id).stats()

    def exec_target(self, alloc_id: str, task: str) -> ExecTarget:
        """`alloc exec` preflight: RemoteExecDisabled, NotFound for an unknown allocation."""
        if self.config.client.disable_remote_exec:
            raise RemoteExecDisabled()
        runner = self._require(alloc_id)
        tr = runner.tasks.get(task)
        return ExecTarget(runner.alloc.namespace, runner.client_update().client_status,
                          tr.setup.capabilities().fs_isolation if tr else None)

    async def exec_task(self, alloc_id: str, task: str, command: Sequence[str], tty: bool,
                        stream: ExecStream, user: str = "") -> int:
        """`alloc exec`: run `command` in a running task of a local allocation and return
        its exit code. Refuses in Nomad's order and words; cancelling it ends the command.
        Authorization is the caller's (see `exec_target`); whether `user` is allowed is
        the driver's plugin config's (`allow_exec_users`)."""
        handle, driver = self._session_target(alloc_id, task)
        return await driver.exec_streaming(handle.config.id, list(command), tty, stream, user)

    async def copy_task(self, alloc_id: str, task: str, request: CopyRequest,
                        stream: ExecStream) -> int:
        """`alloc cp`: a tar written or unpacked in a running task of a local allocation,
        as its user, in its filesystem view; refused as `exec_task` refuses."""
        handle, driver = self._session_target(alloc_id, task)
        return await driver.copy_streaming(handle.config.id, request, stream)

    def _session_target(self, alloc_id: str, task: str) -> tuple[TaskHandle, Driver]:
        """The handle and driver of a running task for exec and cp, refused in Nomad's
        order and words."""
        if self.config.client.disable_remote_exec:
            raise RemoteExecDisabled()
        tr = self._running_task(alloc_id, task)
        handle = tr.handle
        assert handle is not None  # _running_task checked it
        return handle, tr.setup.require_driver()

    def port_forward_address(self, alloc_id: str, task: str,
                             remote: int | str) -> tuple[str, int]:
        """`alloc port-forward`: the (host, port) to dial for `remote`, a port the allocation
        holds (`forward_target`), once `task` (or, when empty, the allocation) runs.
        `disable_remote_exec` turns it off as well. Authorization is the caller's."""
        if self.config.client.disable_remote_exec:
            raise RemoteExecDisabled()
        runner = self._require(alloc_id)
        if task:
            self._running_task(alloc_id, task)
        elif runner.client_update().client_status != "running":
            raise NotFound(f'allocation "{alloc_id[:8]}" is not running.')
        return forward_target(runner.alloc, remote)

    def _running_task(self, alloc_id: str, task: str) -> TaskRunner:
        tr = self._require(alloc_id).tasks.get(task)
        if tr is None:
            raise InvalidInput(f'unknown task name "{task}"')
        if tr.task_state.started_at.startswith("0001-"):
            raise NotFound(f'task "{task}" not started yet.')
        if tr.handle is None or tr.is_dead or tr.task_state.state != "running":
            raise NotFound(f'task "{task}" is not running.')
        return tr

    @asynccontextmanager
    async def audit_session(self, record: ExecSession,
                            terminal: bool = True) -> AsyncIterator[AuditedSession]:
        """Audit one session into a local allocation (see `client.audit`): `record` names
        the kind, caller, alloc, task and command; namespace, job and node are filled here.
        `terminal=False` for kinds whose bytes are not a terminal (never recorded)."""
        alloc = self._require(record.alloc_id).alloc
        record = record.model_copy(update={"namespace": alloc.namespace,
                                           "job_id": alloc.job_id})
        async with self.audit.session(record, terminal) as audited:
            yield audited

    def action_command(self, alloc_id: str, job_id: str, task: str, action: str) -> list[str]:
        """A job action's command line, from the job version the allocation runs, with
        Nomad's refusals: another job's allocation, an unknown task or action (400s)."""
        alloc = self._require(alloc_id).alloc
        if job_id and job_id != alloc.job_id:
            raise InvalidInput(f"job {job_id} does not have allocation {alloc_id}")
        group = alloc.job.group(alloc.task_group) if alloc.job is not None else None
        found = group.task(task) if group is not None else None
        if found is None:
            raise InvalidInput(f"task {task} not found in allocation {alloc_id}")
        entry = next((a for a in found.actions or [] if a.name == action), None)
        if entry is None:
            raise InvalidInput(f"action {action} not found in task {task}")
        return entry.argv()

    async def debug_task(self, alloc_id: str, task: str, session_id: str,
                         command: Sequence[str], tty: bool, stream: ExecStream) -> int:
        """`alloc debug`: run `command` in a short-lived copy of a task that has exited
        (or failed, or waits to restart) and return its exit code; the copy is gone when
        this returns or is cancelled (`client.debug`). Authorization is the caller's
        (see `exec_target`)."""
        if self.config.client.disable_remote_exec:
            raise RemoteExecDisabled()
        return await self._debug.run(self._require(alloc_id), task, session_id, command, tty,
                                     stream)

    def alloc_checks(self, alloc_id: str) -> dict[str, CheckQueryResult]:
        """The latest result of each health check of a local allocation."""
        return self._require(alloc_id).checks.results()

    def _require(self, alloc_id: str) -> AllocRunner:
        runner = self._runners.get(alloc_id)
        if runner is None:
            raise NotFound(f'Unknown allocation "{alloc_id}"')
        return runner


def _changed(old: Allocation, new: Allocation) -> bool:
    """A server-side change worth passing to the runner (not our own status echoed back)."""
    return (old.desired_status, old.desired_transition, old.alloc_modify_index,
            old.job_version(), old.deployment_id) != (
        new.desired_status, new.desired_transition, new.alloc_modify_index,
        new.job_version(), new.deployment_id)


def _driver_allowed(name: str, options: Mapping[str, str]) -> bool:
    """Nomad's `driver.allowlist` / `driver.denylist` client options (comma separated)."""
    allow = {d.strip() for d in options.get("driver.allowlist", "").split(",") if d.strip()}
    deny = {d.strip() for d in options.get("driver.denylist", "").split(",") if d.strip()}
    return (not allow or name in allow) and name not in deny
