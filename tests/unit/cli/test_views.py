"""Whole-command layouts built from models: job, alloc, eval and node status."""

from __future__ import annotations

from datetime import timezone

from caravan.structs.stats import AllocResourceUsage
from caravan.cli.alloc_status import format_alloc_status
from caravan.cli.eval_status import format_eval_status
from caravan.cli.formatting import NS_PER_S
from caravan.cli.job_status import JobView, format_job_status, placement_failure
from caravan.cli.listings import alloc_stub_table, job_stub_table, node_list_table
from caravan.cli.node_status import driver_status, format_node_status
from caravan.cli.task_events import event_description
from caravan.structs import (
    AllocatedCpu,
    AllocatedMemory,
    AllocatedResources,
    AllocatedSharedResources,
    AllocatedTaskResources,
    Allocation,
    AllocListStub,
    AllocMetric,
    Deployment,
    DeploymentState,
    DriverInfo,
    Evaluation,
    Job,
    JobListStub,
    JobSummary,
    JobSummaryCounts,
    Node,
    NodeListStub,
    Task,
    TaskEvent,
    TaskGroup,
    TaskState,
)

UTC = timezone.utc
T0 = 1704164645 * NS_PER_S  # 2024-01-02T03:04:05Z
NOW = T0 + 65 * NS_PER_S
ALLOC_ID = "0a1b2c3d-1111-2222-3333-444455556666"
NODE_ID = "9f8e7d6c-1111-2222-3333-444455556666"
EVAL_ID = "5e5e5e5e-1111-2222-3333-444455556666"


def job() -> Job:
    task = Task(name="hello", driver="raw_exec")
    return Job(id="hello", name="hello", datacenters=["dc1"], status="running",
               task_groups=[TaskGroup(name="web", tasks=[task])])


def alloc(**kw: object) -> Allocation:
    resources = AllocatedResources(
        tasks={"hello": AllocatedTaskResources(cpu=AllocatedCpu(cpu_shares=100),
                                               memory=AllocatedMemory(memory_mb=64))},
        shared=AllocatedSharedResources(disk_mb=300))
    fields: dict[str, object] = dict(
        id=ALLOC_ID, eval_id=EVAL_ID, name="hello.web[0]", node_id=NODE_ID, node_name="n1",
        job_id="hello", job=job(), task_group="web", client_status="running",
        client_description="Tasks are running", allocated_resources=resources,
        create_time=T0, modify_time=T0 + 5 * NS_PER_S,
        task_states={"hello": TaskState(state="running", started_at="2024-01-02T03:04:06Z",
                                        events=[TaskEvent(type="Received", time=T0),
                                                TaskEvent(type="Started", time=T0 + NS_PER_S)])})
    fields.update(kw)
    return Allocation.model_validate(fields)


def stub(**kw: object) -> AllocListStub:
    return AllocListStub.of(alloc(**kw))


def test_alloc_table_relative_times() -> None:
    assert alloc_stub_table([stub()], False, 8, NOW).splitlines() == [
        "ID        Node ID   Task Group  Version  Desired  Status   Created   Modified",
        "0a1b2c3d  9f8e7d6c  web         0        run      running  1m5s ago  1m ago",
    ]
    assert alloc_stub_table([], False, 8, NOW) == "No allocations placed"


def test_alloc_table_verbose_has_full_ids_and_times() -> None:
    lines = alloc_stub_table([stub()], True, 36, NOW, UTC).splitlines()
    assert lines[0].split() == ["ID", "Eval", "ID", "Node", "ID", "Node", "Name", "Task",
                                "Group", "Version", "Desired", "Status", "Created", "Modified"]
    assert ALLOC_ID in lines[1] and "2024-01-02T03:04:05Z" in lines[1]


def test_job_list_table() -> None:
    stub = JobListStub(id="hello", name="hello", namespace="default", datacenters=["dc1"],
                       type="batch", priority=50, periodic=True, stop=True, status="dead",
                       status_description="", create_index=1, modify_index=1,
                       job_modify_index=1, submit_time=T0)
    assert job_stub_table([stub], tz=UTC).splitlines() == [
        "ID     Type            Priority  Status          Submit Date",
        "hello  batch/periodic  50        dead (stopped)  2024-01-02T03:04:05Z",
    ]


def blocked_failure_evals() -> list[Evaluation]:
    metric = AllocMetric(nodes_evaluated=1, constraint_filtered={"missing drivers": 1})
    return [Evaluation(id=EVAL_ID, status="complete", create_index=5,
                       failed_tg_allocs={"web": metric}, triggered_by="job-register"),
            Evaluation(id="b" * 8, status="blocked", create_index=6,
                       triggered_by="queued-allocs")]


def test_job_status_layout() -> None:
    summary = JobSummary(job_id="hello", summary={"web": JobSummaryCounts(running=1)})
    view = JobView(job(), summary, [stub()], blocked_failure_evals())
    text = format_job_status(view, verbose=False, show_evals=False, now_ns=NOW)
    assert text.splitlines()[0] == "ID            = hello"
    assert "Status        = running" in text
    assert "Summary\nTask Group  Queued  Starting  Running  Failed  Complete  Lost  Unknown\n" \
           "web         0       0         1        0       0         0     0" in text
    assert 'Placement Failure\nTask Group "web":\n' \
           '  * Constraint "missing drivers": 1 nodes excluded by filter' in text
    assert "Allocations\nID        Node ID" in text
    assert "Evaluations" not in text
    verbose = format_job_status(view, verbose=True, show_evals=False, now_ns=NOW)
    assert "Evaluations\nID" in verbose and "queued-allocs  blocked" in verbose


def test_placement_failure_only_while_blocked() -> None:
    evals = blocked_failure_evals()
    assert placement_failure(evals) is not None
    evals[1] = evals[1].model_copy(update={"status": "complete"})
    assert placement_failure(evals) is None


def test_alloc_status_layout() -> None:
    text = format_alloc_status(alloc(), None, verbose=False, show_stats=False, now_ns=NOW,
                               tz=UTC)
    lines = text.splitlines()
    assert lines[0] == f"ID                  = {ALLOC_ID}"
    assert "Eval ID             = 5e5e5e5e" in lines
    assert "Client Description  = Tasks are running" in lines
    assert "Desired Description = <none>" in lines
    assert "Created             = 1m5s ago" in lines
    assert 'Task "hello" is "running"' in lines
    assert "Task Resources:\nCPU      Memory  Disk     Addresses\n100 MHz  64 MiB  300 MiB" in text
    assert "Started At     = 2024-01-02T03:04:06Z" in lines
    assert "Finished At    = N/A" in lines
    events = text[text.index("Recent Events:"):].splitlines()
    assert events[1].split() == ["Time", "Type", "Description"]
    assert events[2].split() == ["2024-01-02T03:04:06Z", "Started", "Task", "started", "by",
                                 "client"]
    assert events[3].split()[1] == "Received"


def test_alloc_status_with_live_stats() -> None:
    stats = AllocResourceUsage.model_validate({"Tasks": {"hello": {"ResourceUsage": {
        "CpuStats": {"TotalTicks": 12.7, "Percent": 1.5, "Measured": ["Percent"]},
        "MemoryStats": {"RSS": 2 * 1024 * 1024, "Measured": ["RSS"]}}}}})
    text = format_alloc_status(alloc(), stats, verbose=False, show_stats=True, now_ns=NOW)
    assert "12/100 MHz  2.0 MiB/64 MiB" in text
    assert "Memory Stats\nRSS\n2.0 MiB" in text and "CPU Stats\nPercent\n1.50%" in text


def test_event_descriptions() -> None:
    assert event_description(TaskEvent(type="Terminated", exit_code=3, signal=9)) == \
        "Exit Code: 3, Signal: 9"
    assert event_description(TaskEvent(type="Driver Failure", driver_error="boom")) == "boom"
    assert event_description(TaskEvent(type="Killing", kill_timeout=5 * NS_PER_S)) == \
        "Sent interrupt. Waiting 5s before force killing"
    assert event_description(TaskEvent(type="Restarting", start_delay=15 * NS_PER_S)) == \
        "Task restarting in 15s"
    assert event_description(TaskEvent(type="X", display_message="shown")) == "shown"


def test_eval_status_layout() -> None:
    ev = blocked_failure_evals()[0].model_copy(update={
        "job_id": "hello", "blocked_eval": "b" * 36, "create_time": T0, "modify_time": T0})
    text = format_eval_status(ev, [], verbose=False, now_ns=NOW)
    lines = text.splitlines()
    assert lines[0] == "ID                 = 5e5e5e5e"
    assert "Status Description = complete" in lines
    assert "Placement Failures = true" in lines
    assert "Blocked Eval       = bbbbbbbb" in lines
    assert 'Failed Placements\nTask Group "web" (failed to place 1 allocation):\n' \
           '  * Constraint "missing drivers": 1 nodes excluded by filter\n\n' \
           'Evaluation "bbbbbbbb" waiting for additional capacity to place remainder' in text


def node() -> Node:
    return Node(id=NODE_ID, name="n1", status="ready",
                attributes={"kernel.name": "linux", "driver.raw_exec": "1"},
                meta={"rack": "r1"},
                drivers={"raw_exec": DriverInfo(detected=True, healthy=True,
                                                health_description="Healthy"),
                         "exec": DriverInfo(detected=True, healthy=False,
                                            health_description="runc not found")})


def test_node_status_layout() -> None:
    text = format_node_status(node(), [alloc()], verbose=False, short=False, now_ns=NOW)
    assert "Driver Status   = exec (unhealthy),raw_exec" in text
    assert "Allocated Resources\nCPU" in text
    assert "Allocations\nID" in text and "Attributes" not in text


def test_node_status_verbose_shows_driver_health_reasons() -> None:
    text = format_node_status(node(), [], verbose=True, short=False, now_ns=NOW)
    drivers = text[text.index("Drivers\n"):].splitlines()
    assert drivers[1].split() == ["Driver", "Detected", "Healthy", "Message", "Time"]
    assert drivers[2].split() == ["exec", "true", "false", "runc", "not", "found", "<none>"]
    assert drivers[3].split() == ["raw_exec", "true", "true", "Healthy", "<none>"]
    assert "Attributes\ndriver.raw_exec = 1\nkernel.name     = linux" in text
    assert "Meta\nrack = r1" in text


def test_driver_status_skips_undetected() -> None:
    n = node()
    n.drivers["docker"] = DriverInfo(detected=False, health_description="disabled")
    assert driver_status(n) == "exec (unhealthy),raw_exec"


def test_node_list_table() -> None:
    stub = NodeListStub(address="127.0.0.1", id=NODE_ID, datacenter="dc1", name="n1",
                        node_class="", node_pool="default", version="0.1.0", drain=False,
                        scheduling_eligibility="eligible", status="ready",
                        status_description="", drivers={}, create_index=1, modify_index=1)
    assert node_list_table([stub], False, 8).splitlines() == [
        "ID        Node Pool  DC   Name  Class   Drain  Eligibility  Status",
        "9f8e7d6c  default    dc1  n1    <none>  false  eligible     ready",
    ]


def test_job_status_shows_the_latest_deployment_before_the_allocations() -> None:
    summary = JobSummary(job_id="hello", summary={"web": JobSummaryCounts(running=1)})
    d = Deployment(id="d" * 8 + "-0000-0000-0000-000000000000", job_id="hello",
                   status="successful", status_description="Deployment completed successfully",
                   task_groups={"web": DeploymentState(desired_total=1, placed_allocs=1,
                                                       healthy_allocs=1)})
    with_d = format_job_status(JobView(job(), summary, [stub()], [], deployment=d),
                               verbose=False, show_evals=False, now_ns=NOW)
    section = with_d.split("Latest Deployment\n", 1)[1]
    assert section.startswith("ID          = dddddddd\nStatus      = successful\n")
    assert section.index("Deployed\nTask Group") < section.index("Allocations\n")
    without = format_job_status(JobView(job(), summary, [stub()], []),
                                verbose=False, show_evals=False, now_ns=NOW)
    assert "Latest Deployment" not in without
