"""python-nomad's deployment calls against caravan, unchanged (issue 12 part 5): list,
read, allocations, pause/resume, manual allocation health, fail; a job's deployments."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlparse

import nomad
import pytest
import requests

from tests.agents import AgentProcess, wait_until
from tests.integration.deployments.helpers import rolling_job

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def pn(dev_agent: AgentProcess) -> Iterator[nomad.Nomad]:
    url = urlparse(dev_agent.address)
    # One session for every sub-API, closed here: left to the garbage collector, its
    # sockets would warn in whichever test runs then.
    with requests.Session() as session:
        yield nomad.Nomad(host=url.hostname, port=url.port, timeout=10, session=session)


def test_python_nomad_deployment_calls(pn: nomad.Nomad) -> None:
    pn.jobs.register_job(rolling_job("pn-deploy", count=2, HealthCheck="manual"))
    latest = wait_until(lambda: pn.job.get_deployment("pn-deploy"), what="a deployment")
    d_id = latest["ID"]
    assert latest["Status"] == "running" and latest["JobID"] == "pn-deploy"
    assert [d["ID"] for d in pn.job.get_deployments("pn-deploy")] == [d_id]
    assert d_id in [d["ID"] for d in pn.deployments.get_deployments(prefix=d_id[:4])]
    assert pn.deployment.get_deployment(d_id)["TaskGroups"]["main"]["DesiredTotal"] == 2
    allocs = wait_until(lambda: len(pn.deployment.get_deployment_allocations(d_id)) == 2
                        and pn.deployment.get_deployment_allocations(d_id),
                        what="both allocations placed")
    first, second = sorted(a["ID"] for a in allocs)

    paused = pn.deployment.pause_deployment(d_id, pause=True)
    assert paused["DeploymentModifyIndex"] > 0
    assert pn.deployment.get_deployment(d_id)["Status"] == "paused"
    pn.deployment.pause_deployment(d_id, pause=False)
    assert pn.deployment.get_deployment(d_id)["Status"] == "running"

    # health_check = "manual": health is what the operator says.
    pn.deployment.deployment_allocation_health(d_id, healthy_allocations=[first])
    d = wait_until(lambda: pn.deployment.get_deployment(d_id)["TaskGroups"]["main"][
        "HealthyAllocs"] == 1 and pn.deployment.get_deployment(d_id), what="one healthy")
    assert d["Status"] == "running"
    pn.deployment.deployment_allocation_health(d_id, unhealthy_allocations=[second])
    failed = wait_until(lambda: pn.deployment.get_deployment(d_id)["Status"] == "failed"
                        and pn.deployment.get_deployment(d_id), what="the deployment failed")
    assert failed["StatusDescription"] == "Failed due to unhealthy allocations"
    with pytest.raises(nomad.api.exceptions.BaseNomadException):
        pn.deployment.fail_deployment(d_id)  # already terminal


def test_fail_and_promote_through_python_nomad(pn: nomad.Nomad) -> None:
    pn.jobs.register_job(rolling_job("pn-fail", count=1, MinHealthyTime=60 * 10**9,
                                     HealthyDeadline=120 * 10**9,
                                     ProgressDeadline=180 * 10**9))
    d = wait_until(lambda: pn.job.get_deployment("pn-fail"), what="a deployment")
    with pytest.raises(nomad.api.exceptions.BaseNomadException) as info:
        pn.deployment.promote_deployment_all(d["ID"])
    assert "has no canaries to promote" in info.value.nomad_resp.text
    reply = pn.deployment.fail_deployment(d["ID"])
    assert reply["EvalID"] and reply["RevertedJobVersion"] is None
    assert pn.deployment.get_deployment(d["ID"])["StatusDescription"] == (
        "Deployment marked as failed")
