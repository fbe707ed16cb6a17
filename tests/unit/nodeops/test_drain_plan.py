"""The drainer's pure decisions: how many of a group move at once, batch and system
allocations, deadlines, completion."""

from __future__ import annotations

from caravan.server.drain.plan import plan_drain
from caravan.structs import (
    AllocDeploymentStatus,
    Allocation,
    DesiredTransition,
    Job,
    Node,
    Task,
    TaskGroup,
)
from caravan.structs.acl import rfc3339_nano
from caravan.structs.drain import DrainStrategy, MigrateStrategy

S = 1_000_000_000
NOW = 1_700_000_000 * S


def job(job_id: str = "web", count: int = 4, max_parallel: int = 2,
        job_type: str = "service") -> Job:
    migrate = MigrateStrategy(max_parallel=max_parallel) if job_type == "service" else None
    return Job(id=job_id, type=job_type, task_groups=[TaskGroup(
        name="g", count=count, migrate=migrate, tasks=[Task(name="t", driver="raw_exec")])])


def alloc(i: int, the_job: Job, node: str, *, healthy: bool | None = True,
          marked: bool = False, client: str = "running", desired: str = "run") -> Allocation:
    return Allocation(
        id=f"{the_job.id}-{i}", name=f"{the_job.id}.g[{i}]", job_id=the_job.id, job=the_job,
        task_group="g", node_id=node, client_status=client, desired_status=desired,
        create_index=i, desired_transition=DesiredTransition(migrate=marked or None),
        deployment_status=AllocDeploymentStatus(healthy=healthy) if healthy is not None
        else None)


def draining(node_id: str = "a", deadline_ns: int = 0, ignore_system: bool = False) -> Node:
    force = rfc3339_nano(deadline_ns) if deadline_ns else DrainStrategy().force_deadline
    return Node(id=node_id, drain=True, drain_strategy=DrainStrategy(
        force_deadline=force, ignore_system_jobs=ignore_system))


def plan(nodes: list[Node], allocs: list[Allocation], jobs: list[Job], now: int = NOW):
    by_job = {j.id: j for j in jobs}
    return plan_drain(
        nodes, lambda n: [a for a in allocs if a.node_id == n],
        lambda ns, j: by_job.get(j),
        lambda ns, j: [a for a in allocs if a.job_id == j], now)


def test_max_parallel_at_a_time_then_only_as_replacements_turn_healthy() -> None:
    web = job(count=4, max_parallel=2)
    allocs = [alloc(i, web, "a") for i in range(4)]
    step = plan([draining()], allocs, [web])
    assert [a.id for a in step.migrate] == ["web-0", "web-1"] and step.complete == []
    # Two marked, their replacements placed but not yet healthy: nothing more moves.
    moving = [alloc(0, web, "a", marked=True, desired="stop", client="complete"),
              alloc(1, web, "a", marked=True, desired="stop"),
              *(alloc(i, web, "a") for i in (2, 3)),
              alloc(10, web, "b", healthy=None), alloc(11, web, "b", healthy=None)]
    assert plan([draining()], moving, [web]).migrate == []
    # One replacement healthy: one more may go.
    moving[4] = alloc(10, web, "b")
    assert [a.id for a in plan([draining()], moving, [web]).migrate] == ["web-2"]


def test_batch_waits_for_the_deadline_and_system_goes_last() -> None:
    report, agent = job("report", job_type="batch"), job("agentd", job_type="system")
    allocs = [alloc(0, report, "a", healthy=None), alloc(1, agent, "a", healthy=None)]
    step = plan([draining()], allocs, [report, agent])
    assert (step.migrate, step.complete) == ([], [])
    past = plan([draining(deadline_ns=NOW - S)], allocs, [report, agent])
    assert [a.id for a in past.migrate] == ["report-0"] and past.complete == []
    allocs[0] = alloc(0, report, "a", client="complete", healthy=None)
    done = plan([draining()], allocs, [report, agent])
    assert [a.id for a in done.migrate] == ["agentd-1"] and [n.id for n in done.complete] == ["a"]
    ignored = plan([draining(ignore_system=True)], allocs, [report, agent])
    assert ignored.migrate == [] and [n.id for n in ignored.complete] == ["a"]


def test_allocations_on_other_nodes_never_move() -> None:
    web = job(count=2, max_parallel=2)
    allocs = [alloc(0, web, "a"), alloc(1, web, "b")]
    assert [a.id for a in plan([draining()], allocs, [web]).migrate] == ["web-0"]
