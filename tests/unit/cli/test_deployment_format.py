"""`deployment list|status` text, as Nomad prints it, and the monitor's redraw on a terminal."""

from __future__ import annotations

import io

from caravan.cli.deployment_format import deployments_table, format_deployment, latest_deployment
from caravan.structs import Deployment, DeploymentState


def deployment(**state: object) -> Deployment:
    return Deployment(id="0b23b149-aaaa-bbbb-cccc-000000000000", job_id="web", job_version=3,
                      status="running", status_description="Deployment is running",
                      task_groups={"web": DeploymentState(desired_total=4, placed_allocs=2,
                                                          healthy_allocs=1, **state)})


def test_status_shows_the_groups_table() -> None:
    text = format_deployment(deployment(), 8)
    assert text.splitlines() == [
        "ID          = 0b23b149",
        "Job ID      = web",
        "Job Version = 3",
        "Status      = running",
        "Description = Deployment is running",
        "",
        "Deployed",
        "Task Group  Desired  Placed  Healthy  Unhealthy",
        "web         4        2       1        0",
    ]


def test_canary_revert_and_deadline_columns_appear_when_used() -> None:
    text = format_deployment(deployment(desired_canaries=1, auto_revert=True,
                                        progress_deadline=600 * 10**9,
                                        require_progress_by="2026-01-02T03:04:05Z"), 8)
    header, row = text.splitlines()[-2:]
    assert header.split("  ")[0] == "Task Group"
    assert [c for c in header.split("  ") if c] == [
        "Task Group", "Auto Revert", "Promoted", "Desired", "Canaries", "Placed", "Healthy",
        "Unhealthy", "Progress Deadline"]
    assert row.split() == ["web", "true", "false", "4", "1", "2", "1", "0",
                           "2026-01-02T03:04:05Z"]


def test_list_table_and_none() -> None:
    assert deployments_table([], 8) == "No deployments found"
    lines = deployments_table([deployment()], 8).splitlines()
    assert lines[0].split() == ["ID", "Job", "ID", "Job", "Version", "Status", "Description"]
    assert lines[1].split()[:4] == ["0b23b149", "web", "3", "running"]


def test_the_monitor_redraws_in_place_on_a_terminal() -> None:
    from caravan.cli.common import Ui
    from caravan.cli.deployment_monitor import DeploymentMonitor

    out = io.StringIO()
    monitor = DeploymentMonitor(None, Ui(stdout=out), 8, tty=True)  # type: ignore[arg-type]
    monitor._draw("one\ntwo")
    monitor._draw("three")
    assert out.getvalue() == "\none\ntwo\n\x1b[3A\x1b[J\nthree\n"
    plain = io.StringIO()
    lines = DeploymentMonitor(None, Ui(stdout=plain), 8, tty=False)  # type: ignore[arg-type]
    lines._draw("one")
    lines._draw("two")
    assert plain.getvalue() == "\none\n\ntwo\n"


def test_job_status_section_leaves_out_the_job() -> None:
    assert latest_deployment(deployment(), 8).splitlines()[:5] == [
        "ID          = 0b23b149",
        "Status      = running",
        "Description = Deployment is running",
        "",
        "Deployed",
    ]
