"""`caravan` against a real -dev agent: run, status, logs, stop, as a user does."""

from __future__ import annotations

import re
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from caravan.api import Client
from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.e2e.cli import (
    HELLO,
    caravan,
    created_allocs,
    job_file,
    monitored_eval,
    wait_running,
)

pytestmark = pytest.mark.integration

TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)"


@dataclass(frozen=True)
class Hello:
    output: str
    alloc_id: str
    eval_prefix: str


@pytest.fixture(scope="module")
def hello(dev_agent: AgentProcess) -> Iterator[Hello]:
    """examples/hello.nomad.hcl, run once for this module and running."""
    result = caravan(dev_agent, "job", "run", str(HELLO))
    assert result.returncode == 0, result.stdout + result.stderr
    allocs = created_allocs(result.stdout)
    assert len(allocs) == 1, result.stdout
    alloc_id = wait_running(dev_agent, allocs[0][0])
    yield Hello(result.stdout, alloc_id, monitored_eval(result.stdout))
    caravan(dev_agent, "job", "stop", "-purge", "hello")


def test_job_run_monitors_the_evaluation(hello: Hello) -> None:
    lines = hello.output.splitlines()
    assert re.fullmatch(rf'==> {TS}: Monitoring evaluation "[0-9a-f]{{8}}"', lines[0])
    assert re.fullmatch(rf'    {TS}: Evaluation triggered by job "hello"', lines[1])
    assert any(re.fullmatch(rf'    {TS}: Allocation "[0-9a-f]{{8}}" created: node '
                            r'"[0-9a-f]{8}", group "hello"', line) for line in lines)
    finished = next(i for i, line in enumerate(lines) if "finished with status" in line)
    assert re.fullmatch(rf'    {TS}: Evaluation status changed: "pending" -> "complete"',
                        lines[finished - 1])
    assert re.fullmatch(rf'==> {TS}: Evaluation "{hello.eval_prefix}" finished with status '
                        r'"complete"', lines[finished])
    # Then, as Nomad's, the service job's deployment is followed to its end.
    assert re.fullmatch(rf'==> {TS}: Monitoring deployment "[0-9a-f]{{8}}"', lines[finished + 1])
    assert lines[-4:-1] == ["", "Deployed",
                            "Task Group  Desired  Placed  Healthy  Unhealthy  Progress Deadline"]
    assert lines[-1].split()[:5] == ["hello", "1", "1", "1", "0"]
    assert "Description = Deployment completed successfully" in lines


def test_job_status_list_and_detail(dev_agent: AgentProcess, hello: Hello) -> None:
    listing = caravan(dev_agent, "job", "status")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[0].split() == ["ID", "Type", "Priority", "Status",
                                                      "Submit", "Date"]
    assert re.search(rf"^hello\s+service\s+50\s+running\s+{TS}$", listing.stdout, re.M)

    detail = caravan(dev_agent, "job", "status", "hello")
    assert detail.returncode == 0, detail.stderr
    out = detail.stdout
    assert out.splitlines()[0] == "ID            = hello"
    for line in ("Type          = service", "Priority      = 50", "Datacenters   = *",
                 "Namespace     = default", "Node Pool     = default",
                 "Status        = running", "Periodic      = false",
                 "Parameterized = false"):
        assert line in out.splitlines()
    assert "\nSummary\nTask Group  Queued  Starting  Running  Failed  Complete  Lost  " \
           "Unknown\nhello       0       0         1" in out
    allocs = out[out.index("\nAllocations\n"):].splitlines()
    assert allocs[2].split() == ["ID", "Node", "ID", "Task", "Group", "Version", "Desired",
                                 "Status", "Created", "Modified"]
    assert allocs[3].split()[:6] == [hello.alloc_id[:8], allocs[3].split()[1], "hello", "0",
                                     "run", "running"]
    assert allocs[3].endswith(" ago")


def test_job_status_verbose_shows_evaluations(dev_agent: AgentProcess, hello: Hello) -> None:
    out = caravan(dev_agent, "job", "status", "-verbose", "hello").stdout
    assert "\nEvaluations\nID" in out
    assert re.search(r"^[0-9a-f-]{36}\s+50\s+job-register\s+complete\s+false$", out, re.M)
    assert hello.alloc_id in out


def test_alloc_status_by_prefix(dev_agent: AgentProcess, hello: Hello) -> None:
    result = caravan(dev_agent, "alloc", "status", hello.alloc_id[:6])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ID                  = {hello.alloc_id}"
    assert "Name                = hello.hello[0]" in lines
    assert "Client Status       = running" in lines
    assert 'Task "hello" is "running"' in lines
    assert "Task Resources:" in lines
    events = result.stdout[result.stdout.index("Recent Events:"):]
    assert re.search(rf"^{TS}\s+Started\s+Task started by client$", events, re.M)


def test_alloc_status_json(dev_agent: AgentProcess, hello: Hello) -> None:
    result = caravan(dev_agent, "alloc", "status", "-json", hello.alloc_id)
    assert result.returncode == 0
    assert f'    "ID": "{hello.alloc_id}",' in result.stdout


def test_alloc_logs_show_the_task_output(dev_agent: AgentProcess, hello: Hello) -> None:
    def logged() -> str | None:
        out = caravan(dev_agent, "alloc", "logs", hello.alloc_id[:8]).stdout
        return out if f"hello from {hello.alloc_id}: 2" in out else None

    out = wait_until(logged, 30, what="two lines of hello output")
    assert out.startswith(f"hello from {hello.alloc_id}: 1\n")

    tail = caravan(dev_agent, "alloc", "logs", "-tail", "-n", "1", hello.alloc_id, "hello")
    assert tail.returncode == 0, tail.stderr
    assert re.fullmatch(rf"hello from {hello.alloc_id}: \d+\n", tail.stdout)


def test_alloc_logs_follow_until_interrupted(dev_agent: AgentProcess, hello: Hello) -> None:
    with subprocess.Popen([CARAVAN, "alloc", "logs", "-f", "-stdout", hello.alloc_id],
                          env=dev_agent.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout is not None and proc.stderr is not None
            first = proc.stdout.readline()
            assert first.startswith(f"hello from {hello.alloc_id}: ")
            proc.send_signal(signal.SIGINT)
            assert proc.wait(30) == 0
            assert proc.stderr.read() == ""
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_alloc_logs_follow_alone_starts_at_the_end(dev_agent: AgentProcess,
                                                   hello: Hello) -> None:
    """`-f` with no other flag follows stdout and stderr from their current ends."""
    def two_lines() -> list[str] | None:
        lines = caravan(dev_agent, "alloc", "logs", hello.alloc_id).stdout.splitlines()
        return lines if len(lines) >= 2 else None

    before = wait_until(two_lines, 30, what="two lines of output")
    with subprocess.Popen([CARAVAN, "alloc", "logs", "-f", hello.alloc_id],
                          env=dev_agent.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            number = int(first.rsplit(": ", 1)[1])
            assert number >= len(before), (first, len(before))
            proc.send_signal(signal.SIGINT)
            assert proc.wait(30) == 0
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()


def test_eval_status(dev_agent: AgentProcess, hello: Hello) -> None:
    result = caravan(dev_agent, "eval", "status", hello.eval_prefix)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"ID                 = {hello.eval_prefix}"
    for line in ("Status             = complete", "Type               = service",
                 "TriggeredBy        = job-register", "Job ID             = hello",
                 "Placement Failures = false"):
        assert line in lines
    assert "Placed Allocations" in lines and hello.alloc_id[:8] in result.stdout


def test_node_status(dev_agent: AgentProcess, hello: Hello) -> None:
    listing = caravan(dev_agent, "node", "status")
    assert listing.returncode == 0
    assert listing.stdout.splitlines()[0].split() == [
        "ID", "Node", "Pool", "DC", "Name", "Class", "Drain", "Eligibility", "Status"]
    assert re.search(r"^[0-9a-f]{8}\s+default\s+\S+\s+\S+\s+<none>\s+false\s+eligible\s+ready$",
                     listing.stdout, re.M)

    detail = caravan(dev_agent, "node", "status", "-self", "-verbose")
    assert detail.returncode == 0, detail.stderr
    out = detail.stdout
    assert "Status          = ready" in out.splitlines()
    drivers = out[out.index("\nDrivers\n"):].splitlines()
    assert drivers[2].split()[:5] == ["Driver", "Detected", "Healthy", "Message", "Time"]
    raw_exec = next(line.split() for line in drivers if line.startswith("raw_exec "))
    assert raw_exec[1:3] == ["true", "true"]
    assert "\nAttributes\n" in out and "kernel.name" in out
    allocations = out[out.index("\nAllocations\n"):out.index("\nAttributes\n")]
    assert hello.alloc_id in allocations  # -verbose: full IDs


def test_status_finds_any_object_by_prefix(dev_agent: AgentProcess, hello: Hello) -> None:
    jobs = caravan(dev_agent, "status")
    assert jobs.returncode == 0 and re.search(r"^hello\s+service", jobs.stdout, re.M)
    alloc = caravan(dev_agent, "status", hello.alloc_id[:8])
    assert alloc.returncode == 0, alloc.stderr
    assert alloc.stdout.startswith(f"ID                  = {hello.alloc_id}")
    job = caravan(dev_agent, "status", "hello")
    assert job.stdout.startswith("ID            = hello")
    missing = caravan(dev_agent, "status", "no-such-thing")
    assert missing.returncode == 1
    assert missing.stderr.strip() == 'Unable to resolve ID: "no-such-thing"'


def test_unknown_and_ambiguous_prefixes(dev_agent: AgentProcess, tmp_path: Path) -> None:
    for name in ("amb-one", "amb-two"):
        run = caravan(dev_agent, "job", "run", "-detach", str(job_file(tmp_path, name)))
        assert run.returncode == 0, run.stderr
        assert run.stdout.startswith("Job registration successful\nEvaluation ID: ")
    try:
        ambiguous = caravan(dev_agent, "job", "status", "amb")
        assert ambiguous.returncode == 1
        lines = ambiguous.stderr.splitlines()
        assert lines[0] == 'Prefix "amb" matched multiple jobs'
        assert lines[2].split()[:2] == ["ID", "Type"]
        assert {line.split()[0] for line in lines[3:]} == {"amb-one", "amb-two"}

        unknown_job = caravan(dev_agent, "job", "status", "zzz")
        assert unknown_job.returncode == 1
        assert unknown_job.stderr.strip() == 'No job(s) with prefix or ID "zzz" found'

        unknown_alloc = caravan(dev_agent, "alloc", "status", "fffff")
        assert unknown_alloc.returncode == 1
        assert unknown_alloc.stderr.strip() == \
            'No allocation(s) with prefix or id "ffff" found'
    finally:
        for name in ("amb-one", "amb-two"):
            caravan(dev_agent, "job", "stop", "-purge", "-detach", name)


def test_impossible_constraint_exits_two(dev_agent: AgentProcess, tmp_path: Path) -> None:
    extra = ('  constraint {\n    attribute = "${attr.kernel.name}"\n'
             '    value     = "windows"\n  }\n')
    path = job_file(tmp_path, "nowhere", extra=extra)
    result = caravan(dev_agent, "job", "run", str(path))
    try:
        assert result.returncode == 2, result.stdout + result.stderr
        out = result.stdout
        assert re.search(r'finished with status "complete" but failed to place all '
                         r"allocations:$", out, re.M)
        assert re.search(rf'^    {TS}: Task Group "nowhere-group" \(failed to place 1 '
                         r"allocation\):$", out, re.M)
        assert '      * Constraint "${attr.kernel.name} = windows": 1 nodes excluded by ' \
               "filter" in out.splitlines()
        assert re.search(r'Evaluation "[0-9a-f]{8}" waiting for additional capacity to place '
                         r"remainder$", out, re.M)

        status = caravan(dev_agent, "job", "status", "nowhere").stdout
        assert '\nPlacement Failure\nTask Group "nowhere-group":\n  * Constraint ' in status

        evaluation = caravan(dev_agent, "eval", "status", monitored_eval(out)).stdout
        assert "Placement Failures = true" in evaluation.splitlines()
        assert '\nFailed Placements\nTask Group "nowhere-group" (failed to place 1 ' \
               "allocation):\n" in evaluation
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "nowhere")


def test_several_tasks_need_a_task_name(dev_agent: AgentProcess, tmp_path: Path) -> None:
    path = job_file(tmp_path, "two-tasks", tasks=("first", "second"))
    run = caravan(dev_agent, "job", "run", str(path))
    try:
        assert run.returncode == 0, run.stdout + run.stderr
        alloc8 = created_allocs(run.stdout)[0][0]
        wait_running(dev_agent, alloc8)
        result = caravan(dev_agent, "alloc", "logs", alloc8)
        assert result.returncode == 1
        assert result.stderr == (
            f'Failed to validate task: Allocation "{alloc8}" is running the following '
            "tasks:\n  * first\n  * second\n\nPlease specify the task.\n")
        stderr = wait_until(lambda: caravan(dev_agent, "alloc", "logs", "-stderr", "-task",
                                            "second", alloc8).stdout, 30,
                            what="stderr of task second")
        assert stderr == "err-line\n"
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "two-tasks")


def test_job_stop_purge(dev_agent: AgentProcess, tmp_path: Path) -> None:
    run = caravan(dev_agent, "job", "run", str(job_file(tmp_path, "short-lived")))
    assert run.returncode == 0, run.stdout + run.stderr
    stop = caravan(dev_agent, "job", "stop", "-purge", "short-lived")
    assert stop.returncode == 0, stop.stderr
    assert re.search(rf'^==> {TS}: Evaluation "[0-9a-f]{{8}}" finished with status '
                     r'"complete"$', stop.stdout, re.M)
    after = caravan(dev_agent, "job", "status", "short-lived")
    assert after.returncode == 1
    assert after.stderr.strip() == 'No job(s) with prefix or ID "short-lived" found'
    with Client(dev_agent.address, env={}) as client:
        assert all(j.id != "short-lived" for j in client.jobs.list()[0])


def test_job_stop_keeps_a_stopped_job(dev_agent: AgentProcess, tmp_path: Path) -> None:
    run = caravan(dev_agent, "job", "run", "-detach", str(job_file(tmp_path, "stoppable")))
    assert run.returncode == 0
    try:
        stop = caravan(dev_agent, "job", "stop", "-detach", "stoppable")
        assert stop.returncode == 0
        assert re.fullmatch(r"[0-9a-f-]{36}\n", stop.stdout)
        listing = caravan(dev_agent, "job", "status").stdout
        assert re.search(r"^stoppable\s+service\s+50\s+\S+ \(stopped\)", listing, re.M)
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-detach", "stoppable")


def test_failed_batch_job_purged_and_run_again_places_again(dev_agent: AgentProcess,
                                                            tmp_path: Path) -> None:
    path = job_file(tmp_path, "fails-once", script="exit 3", job_type="batch")
    path.write_text(path.read_text().replace(  # no restart, no reschedule: it stays failed
        'group "fails-once-group" {', 'group "fails-once-group" {\n'
        '    restart {\n      attempts = 0\n      mode = "fail"\n    }\n'
        '    reschedule {\n      attempts = 0\n      unlimited = false\n    }'))
    with Client(dev_agent.address, env={}) as client:
        def alloc_states() -> list[str]:
            return [a.client_status for a in client.jobs.allocations("fails-once")[0]]
        try:
            first = caravan(dev_agent, "job", "run", str(path))
            assert len(created_allocs(first.stdout)) == 1, first.stdout
            wait_until(lambda: alloc_states() == ["failed"], 60, what="the batch alloc failed")
            assert caravan(dev_agent, "job", "stop", "-purge", "fails-once").returncode == 0
            again = caravan(dev_agent, "job", "run", str(path))
            assert len(created_allocs(again.stdout)) == 1, again.stdout  # placed nothing before
            wait_until(lambda: alloc_states() == ["failed"], 60, what="the new alloc failed")
            assert client.jobs.summary("fails-once")[0].summary["fails-once-group"].failed == 1
        finally:
            caravan(dev_agent, "job", "stop", "-purge", "-detach", "fails-once")


def test_job_run_namespace_flag_places_a_file_without_one(
        dev_agent: AgentProcess, tmp_path: Path) -> None:
    made = caravan(dev_agent, "namespace", "apply", "team-ns")
    assert made.returncode == 0, made.stderr
    path = job_file(tmp_path, "nsjob", job_type="batch", script="exit 0")
    try:
        result = caravan(dev_agent, "job", "run", "-detach", "-namespace", "team-ns", str(path))
        assert result.returncode == 0, result.stderr
        shown = caravan(dev_agent, "job", "status", "-namespace", "team-ns", "nsjob")
        assert shown.returncode == 0, shown.stderr
        assert "Namespace     = team-ns" in shown.stdout
        assert caravan(dev_agent, "job", "status", "nsjob").returncode == 1  # not in default
    finally:
        caravan(dev_agent, "job", "stop", "-purge", "-namespace", "team-ns", "nsjob")
        caravan(dev_agent, "namespace", "delete", "team-ns")
