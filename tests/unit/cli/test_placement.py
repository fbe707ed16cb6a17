"""Placement-failure metric lines, as Nomad prints them."""

from __future__ import annotations

from caravan.cli.placement import (
    eval_failure_status,
    failed_group_header,
    format_alloc_metrics,
    score_table,
)
from caravan.structs import AllocMetric, Evaluation


def test_missing_driver_constraint_line() -> None:
    metric = AllocMetric(nodes_evaluated=1, nodes_filtered=1, nodes_available={"dc1": 1},
                         constraint_filtered={"missing drivers": 1})
    assert format_alloc_metrics(metric) == [
        '  * Constraint "missing drivers": 1 nodes excluded by filter']


def test_no_nodes_and_empty_datacenter() -> None:
    metric = AllocMetric(nodes_evaluated=0, nodes_available={"dc2": 0, "dc1": 3})
    assert format_alloc_metrics(metric, "") == [
        "* No nodes were eligible for evaluation",
        '* No nodes are available in datacenter "dc2"',
    ]


def test_every_kind_of_line_in_nomad_order() -> None:
    metric = AllocMetric(
        nodes_evaluated=3, nodes_available={"dc1": 3}, class_filtered={"gpu": 1},
        constraint_filtered={"${attr.kernel.name} = windows": 2}, nodes_exhausted=2,
        class_exhausted={"large": 1}, dimension_exhausted={"memory": 2, "cpu": 1},
        quota_exhausted=["cpu exhausted (500 > 400)"],
    )
    assert format_alloc_metrics(metric) == [
        '  * Class "gpu": 1 nodes excluded by filter',
        '  * Constraint "${attr.kernel.name} = windows": 2 nodes excluded by filter',
        "  * Resources exhausted on 2 nodes",
        '  * Class "large" exhausted on 1 nodes',
        '  * Dimension "cpu" exhausted on 1 nodes',
        '  * Dimension "memory" exhausted on 2 nodes',
        '  * Quota limit hit "cpu exhausted (500 > 400)"',
    ]


def test_group_header_plural() -> None:
    assert failed_group_header("web", AllocMetric()) == \
        'Task Group "web" (failed to place 1 allocation):'
    assert failed_group_header("web", AllocMetric(coalesced_failures=2)) == \
        'Task Group "web" (failed to place 3 allocations):'


def test_eval_failure_status() -> None:
    assert eval_failure_status(Evaluation(status="complete")) == ("false", False)
    failed = Evaluation(status="complete", failed_tg_allocs={"web": AllocMetric()})
    assert eval_failure_status(failed) == ("true", True)
    assert eval_failure_status(Evaluation(status="blocked"))[0] == "N/A - In Progress"


def test_score_table() -> None:
    metric = AllocMetric(nodes_evaluated=1, score_meta_data=[
        {"NodeID": "n1", "Scores": {"binpack": 0.123456, "job-anti-affinity": 0},
         "NormScore": 0.0617}])
    assert score_table(metric) == ("Node  binpack  job-anti-affinity  final score\n"
                                   "n1    0.123    0                  0.0617")
    assert score_table(AllocMetric()) is None
