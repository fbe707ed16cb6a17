"""python-nomad's deployment calls: list, read, allocations, pause, promote, health, fail."""

from __future__ import annotations

from tests.agents import wait_until
from tests.integration.python_nomad.world import World


def _deployment_id(w: World) -> str:
    w.running_alloc("pn-svc")
    return w.api.job.get_deployment("pn-svc")["ID"]  # type: ignore[no-any-return]


def get_deployments(w: World) -> None:
    d_id = _deployment_id(w)
    [stub] = w.api.deployments.get_deployments(prefix=d_id[:8])
    assert stub["ID"] == d_id and stub["JobID"] == "pn-svc"
    assert d_id in [d["ID"] for d in w.api.deployments.get_deployments(namespace="default")]


def get_deployment(w: World) -> None:
    deployment = w.api.deployment.get_deployment(_deployment_id(w))
    assert deployment["Namespace"] == "default" and deployment["TaskGroups"]["main"][
        "DesiredTotal"] == 1
    assert {"Status", "StatusDescription", "JobVersion", "CreateIndex"} <= set(deployment)


def get_deployment_allocations(w: World) -> None:
    alloc = w.running_alloc("pn-svc")
    placed = w.api.deployment.get_deployment_allocations(_deployment_id(w))
    assert [a["ID"] for a in placed] == [alloc["ID"]]


def pause_deployment(w: World) -> None:
    d = w.live_deployment("pn-pause")
    reply = w.api.deployment.pause_deployment(d["ID"], True)
    assert reply["DeploymentModifyIndex"] > 0 and reply["Index"] > 0
    assert w.api.deployment.get_deployment(d["ID"])["Status"] == "paused"
    w.api.deployment.pause_deployment(d["ID"], False)
    assert w.api.deployment.get_deployment(d["ID"])["Status"] == "running"
    w.purge("pn-pause")


def _promoted(w: World, deployment_id: str) -> bool:
    d = w.api.deployment.get_deployment(deployment_id)
    return d["TaskGroups"]["main"]["Promoted"] is True


def promote_deployment_all(w: World) -> None:
    d = w.canary_deployment("pn-promote-all")
    reply = w.api.deployment.promote_deployment_all(d["ID"])
    assert reply["EvalID"] and reply["DeploymentModifyIndex"] > 0
    assert _promoted(w, d["ID"])
    w.purge("pn-promote-all")


def promote_deployment_groups(w: World) -> None:
    d = w.canary_deployment("pn-promote-g")
    reply = w.api.deployment.promote_deployment_groups(d["ID"], ["main"])
    assert reply["EvalID"] and reply["DeploymentModifyIndex"] > 0
    assert _promoted(w, d["ID"])
    w.purge("pn-promote-g")


def deployment_allocation_health(w: World) -> None:
    d = w.live_deployment("pn-health")
    alloc = w.deployment_alloc(d["ID"])
    reply = w.api.deployment.deployment_allocation_health(d["ID"], [alloc["ID"]])
    assert reply["DeploymentModifyIndex"] > 0
    wait_until(lambda: w.api.deployment.get_deployment(d["ID"])["Status"] == "successful",
               30, what="the deployment successful")
    w.purge("pn-health")


def fail_deployment(w: World) -> None:
    d = w.live_deployment("pn-fail")
    reply = w.api.deployment.fail_deployment(d["ID"])
    assert reply["EvalID"] and reply["DeploymentModifyIndex"] > 0
    failed = w.api.deployment.get_deployment(d["ID"])
    assert failed["Status"] == "failed"
    assert failed["StatusDescription"] == "Deployment marked as failed"
    w.purge("pn-fail")


ROWS = [
    ("deployments.get_deployments", get_deployments, None),
    ("deployment.get_deployment", get_deployment, None),
    ("deployment.get_deployment_allocations", get_deployment_allocations, None),
    ("deployment.pause_deployment", pause_deployment, None),
    ("deployment.promote_deployment_all", promote_deployment_all, None),
    ("deployment.promote_deployment_groups", promote_deployment_groups, None),
    ("deployment.deployment_allocation_health", deployment_allocation_health, None),
    ("deployment.fail_deployment", fail_deployment, None),
]
