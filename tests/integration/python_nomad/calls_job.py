"""python-nomad's job calls: `jobs`, `job` and `validate`."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from nomad.api import exceptions

from tests.integration.python_nomad.world import World, small_job

HCL = '''job "pn-parsed" {
  group "g" {
    task "t" {
      driver = "raw_exec"
      config { command = "/bin/true" }
    }
  }
}'''


def _svc(w: World) -> str:
    w.running_alloc("pn-svc")
    return "pn-svc"


def _batch(job_id: str, **extra: Any) -> dict[str, Any]:
    document = small_job(job_id, job_type="batch", args=["-c", "echo started"])
    document["Job"].update(extra)
    return document


def jobs_register_job(w: World) -> None:
    reply = w.api.jobs.register_job(small_job("pn-registered"))
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0 and reply["EvalCreateIndex"] > 0
    w.purge("pn-registered")


def get_jobs(w: World) -> None:
    _svc(w)
    [stub] = w.api.jobs.get_jobs(prefix="pn-sv")
    assert stub["ID"] == "pn-svc" and stub["Type"] == "service" and stub["Status"] == "running"
    assert stub["JobSummary"]["Summary"]["main"]["Running"] == 1


def parse(w: World) -> None:
    job = w.api.jobs.parse(HCL)
    assert job["ID"] == "pn-parsed" and job["TaskGroups"][0]["Tasks"][0]["Driver"] == "raw_exec"
    assert w.api.jobs.parse(HCL, canonicalize=True)["TaskGroups"][0]["Count"] == 1


def validate_job(w: World) -> None:
    reply = w.api.validate.validate_job(small_job("pn-valid"))
    assert reply.ok and reply.json()["ValidationErrors"] is None
    assert reply.json()["DriverConfigValidated"] is True


def job_register_job(w: World) -> None:
    reply = w.api.job.register_job("pn-versions", small_job("pn-versions"))
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0
    w.purge("pn-versions")


def get_job(w: World) -> None:
    job = w.api.job.get_job(_svc(w))
    assert job["ID"] == "pn-svc" and job["Namespace"] == "default" and job["Version"] == 0
    assert job["TaskGroups"][0]["Tasks"][0]["Resources"]["CPU"] == 20


def get_allocations(w: World) -> None:
    alloc = w.running_alloc(_svc(w))
    assert alloc["ID"] in [a["ID"] for a in w.api.job.get_allocations("pn-svc")]


def get_evaluations(w: World) -> None:
    evals = w.api.job.get_evaluations(_svc(w))
    assert evals and {e["TriggeredBy"] for e in evals} >= {"job-register"}
    assert all(e["JobID"] == "pn-svc" for e in evals)


def get_summary(w: World) -> None:
    summary = w.api.job.get_summary(_svc(w))
    assert summary["JobID"] == "pn-svc" and summary["Summary"]["main"]["Running"] == 1
    assert summary["Children"] == {"Pending": 0, "Running": 0, "Dead": 0}


def get_versions(w: World) -> None:
    versions = w.api.job.get_versions(_svc(w))
    assert [v["Version"] for v in versions["Versions"]] == [0]
    assert "Diffs" in versions


def get_deployment(w: World) -> None:
    deployment = w.api.job.get_deployment(_svc(w))
    assert deployment["JobID"] == "pn-svc" and deployment["JobVersion"] == 0
    assert "main" in deployment["TaskGroups"]


def get_deployments(w: World) -> None:
    [deployment] = w.api.job.get_deployments(_svc(w))
    assert deployment["ID"] == w.api.job.get_deployment("pn-svc")["ID"]


def evaluate_job(w: World) -> None:
    reply = w.api.job.evaluate_job(_svc(w))
    assert w.api.evaluation.get_evaluation(reply["EvalID"])["TriggeredBy"] == "job-eval"


def plan_job(w: World) -> None:
    changed = small_job("pn-svc", count=2)
    plan = w.api.job.plan_job(_svc(w), changed, diff=True)
    assert plan["Annotations"]["DesiredTGUpdates"]["main"]["Place"] == 1
    assert plan["Diff"]["Type"] == "Edited" and plan["JobModifyIndex"] > 0
    assert w.api.job.get_job("pn-svc")["TaskGroups"][0]["Count"] == 1


def stable_job(w: World) -> None:
    reply = w.api.job.stable_job(_svc(w), 0, True)
    assert reply["Index"] > 0
    assert w.api.job.get_versions("pn-svc")["Versions"][0]["Stable"] is True


def revert_job(w: World) -> None:
    w.api.jobs.register_job(small_job("pn-revert"))
    w.api.jobs.register_job(small_job("pn-revert", args=["-c", "echo v1; sleep 300"]))
    reply = w.api.job.revert_job("pn-revert", 0)
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0
    job = w.api.job.get_job("pn-revert")
    assert job["Version"] == 2 and job["TaskGroups"][0]["Tasks"][0]["Config"]["args"][1] \
        == "echo started; sleep 300"
    w.purge("pn-revert")


def periodic_job(w: World) -> None:
    periodic = {"Enabled": True, "SpecType": "cron", "Spec": "0 0 1 1 *",
                "ProhibitOverlap": False, "TimeZone": "UTC"}
    w.api.jobs.register_job(_batch("pn-periodic", Periodic=periodic))
    reply = w.api.job.periodic_job("pn-periodic")
    assert reply["EvalID"] and reply["EvalCreateIndex"] > 0 and reply["Index"] > 0
    children = w.api.jobs.get_jobs(prefix="pn-periodic/periodic-")
    assert len(children) == 1 and children[0]["ParentID"] == "pn-periodic"
    w.purge("pn-periodic")


def dispatch_job(w: World) -> None:
    w.api.jobs.register_job(_batch("pn-param", ParameterizedJob={
        "Payload": "optional", "MetaRequired": ["who"], "MetaOptional": None}))
    payload = base64.b64encode(b"hello").decode()
    reply = w.api.job.dispatch_job("pn-param", payload=payload, meta={"who": "pn"})
    assert reply["DispatchedJobID"].startswith("pn-param/dispatch-")
    assert reply["EvalID"] and reply["JobCreateIndex"] > 0 and reply["Index"] > 0
    child = w.api.job.get_job(reply["DispatchedJobID"])
    assert child["Meta"] == {"who": "pn"} and child["Payload"] == payload
    w.purge("pn-param")


def deregister_job(w: World) -> None:
    w.api.jobs.register_job(small_job("pn-stopped"))
    reply = w.api.job.deregister_job("pn-stopped")
    assert reply["EvalID"] and reply["JobModifyIndex"] > 0
    assert w.api.job.get_job("pn-stopped")["Stop"] is True
    w.api.job.deregister_job("pn-stopped", purge=True)
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.job.get_job("pn-stopped")


ROWS = [
    ("jobs.register_job", jobs_register_job, None),
    ("jobs.get_jobs", get_jobs, None),
    ("jobs.parse", parse, None),
    ("validate.validate_job", validate_job, None),
    ("job.register_job", job_register_job, None),
    ("job.get_job", get_job, None),
    ("job.get_allocations", get_allocations, None),
    ("job.get_evaluations", get_evaluations, None),
    ("job.get_summary", get_summary, None),
    ("job.get_versions", get_versions, None),
    ("job.get_deployment", get_deployment, None),
    ("job.get_deployments", get_deployments, None),
    ("job.evaluate_job", evaluate_job, None),
    ("job.plan_job", plan_job, None),
    ("job.stable_job", stable_job, None),
    ("job.revert_job", revert_job, None),
    ("job.periodic_job", periodic_job, None),
    ("job.dispatch_job", dispatch_job, None),
    ("job.deregister_job", deregister_job, None),
]
