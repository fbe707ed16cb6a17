"""Nomad's JobDiff between two versions of a job, and `job plan`'s text for it."""

from __future__ import annotations

from caravan.cli.plan_format import job_diff_text
from caravan.structs import Job, Resources, Task, TaskGroup, canonicalize
from caravan.structs.diff import job_diff


def job(count: int = 2, args: list[str] | None = None, dcs: list[str] | None = None) -> Job:
    task = Task(name="t", driver="raw_exec",
                config={"command": "/bin/sleep", "args": args or ["300"]},
                resources=Resources(memory_mb=32))
    return canonicalize(Job(id="web", datacenters=dcs or ["dc1"],
                            task_groups=[TaskGroup(name="g", count=count, tasks=[task])]))


def test_a_new_job_is_all_added() -> None:
    diff = job_diff(None, job())
    assert diff.type == "Added"
    (group,) = diff.task_groups or []
    assert group.type == "Added" and [t.type for t in group.tasks or []] == ["Added"]


def test_same_job_is_none() -> None:
    diff = job_diff(job(), job())
    assert diff.type == "None" and diff.fields is None and diff.objects is None


def test_edits_are_listed_where_they_are() -> None:
    diff = job_diff(job(), job(count=3, args=["301"], dcs=["dc1", "dc2"]))
    assert diff.type == "Edited"
    (datacenters,) = diff.objects or []
    assert datacenters.name == "Datacenters"
    assert [(f.type, f.new) for f in datacenters.fields or []] == [("Added", "dc2")]
    (group,) = diff.task_groups or []
    assert [(f.name, f.old, f.new) for f in group.fields or []] == [("Count", "2", "3")]
    (task,) = group.tasks or []
    (config,) = task.objects or []
    assert [(f.type, f.name, f.old, f.new) for f in config.fields or []] == [
        ("Edited", "args[0]", "300", "301")]
    text = job_diff_text(diff, verbose=False)
    assert '+/- Job: "web"' in text
    assert '  +/- Count: "2" => "3"' in text
    assert '      +/- args[0]: "300" => "301"' in text
