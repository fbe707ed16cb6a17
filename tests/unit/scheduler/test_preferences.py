"""Affinity and spread: scored as Nomad scores them, visible in the placement metrics."""

from __future__ import annotations

from collections import Counter

import pytest

from caravan.errors import JobValidationError
from caravan.server.scheduler.spread import even_boost
from caravan.structs import Affinity, Spread, SpreadTarget, validate_job

from .factories import MemoryState, alloc, job, node, run, task

RACK = "${meta.rack}"


def racks(*names: str) -> list:
    return [node(i, meta={"rack": name}) for i, name in enumerate(names)]


def test_affinity_draws_every_placement_to_the_matching_nodes() -> None:
    nodes = racks("r1", "r2", "r2", "r2", "r2", "r2")
    j = job(count=3, group={"affinities": [Affinity(l_target=RACK, r_target="r1", weight=100)]})
    result = run(MemoryState(nodes, [j]), j)
    placed = Counter(a.node_id for a in result.plan.placements())
    assert placed == {nodes[0].id: 3}
    first = sorted(result.plan.placements(), key=lambda a: a.name)[0]
    assert first.metrics is not None and first.metrics.score_meta_data is not None
    best = first.metrics.score_meta_data[0]
    assert best["NodeID"] == nodes[0].id and best["Scores"]["node-affinity"] == 1.0
    # the mean of binpack and node-affinity (job-anti-affinity and the penalty do not count)
    assert best["NormScore"] == pytest.approx((best["Scores"]["binpack"] + 1.0) / 2)
    # a group with preferences looks at every node (up to 100), not at two
    assert first.metrics.nodes_evaluated == 6


def test_negative_affinity_keeps_placements_away() -> None:
    nodes = racks("bad", "good")
    j = job(count=1, affinities=[Affinity(l_target=RACK, r_target="bad", weight=-50)])
    for eval_id in ("e1", "e2", "e3", "e4"):
        result = run(MemoryState(nodes, [j]), j, id=eval_id)
        assert list(result.plan.node_allocation) == [nodes[1].id]


def test_affinity_weights_are_normalised_over_job_group_and_task() -> None:
    nodes = racks("r1")
    j = job(count=1, affinities=[Affinity(l_target=RACK, r_target="r1", weight=30)],
            group={"affinities": [Affinity(l_target=RACK, r_target="nope", weight=50)]},
            tasks=[task(affinities=[Affinity(l_target="${node.datacenter}", r_target="dc1",
                                             weight=-20)])])
    [placed] = run(MemoryState(nodes, [j]), j).plan.placements()
    assert placed.metrics is not None and placed.metrics.score_meta_data is not None
    # (30 - 20) / (30 + 50 + 20)
    assert placed.metrics.score_meta_data[0]["Scores"]["node-affinity"] == pytest.approx(0.1)


def test_without_affinity_node_affinity_is_zero_and_not_averaged() -> None:
    j = job(count=1)
    [placed] = run(MemoryState(racks("r1"), [j]), j).plan.placements()
    assert placed.metrics is not None and placed.metrics.score_meta_data is not None
    entry = placed.metrics.score_meta_data[0]
    assert entry["Scores"]["node-affinity"] == 0.0
    assert "allocation-spread" not in entry["Scores"]
    assert entry["NormScore"] == entry["Scores"]["binpack"]


def test_spread_targets_place_by_percentage() -> None:
    nodes = racks("r1", "r1", "r2", "r2")
    spread = Spread(attribute=RACK, weight=100, spread_target=[
        SpreadTarget(value="r1", percent=75), SpreadTarget(value="r2", percent=25)])
    j = job(count=8, group={"spreads": [spread]})
    result = run(MemoryState(nodes, [j]), j)
    rack_of = {n.id: n.meta["rack"] for n in nodes}
    assert Counter(rack_of[a.node_id] for a in result.plan.placements()) == {"r1": 6, "r2": 2}


def test_spread_counts_existing_allocations() -> None:
    nodes = racks("r1", "r2")
    j = job(count=2, spreads=[Spread(attribute=RACK)])
    running = alloc(j, nodes[0])
    result = run(MemoryState(nodes, [j], [running]), j)
    [placed] = result.plan.placements()
    assert placed.node_id == nodes[1].id
    assert placed.metrics is not None and placed.metrics.score_meta_data is not None
    scores = {e["NodeID"]: e["Scores"] for e in placed.metrics.score_meta_data}
    # even spread: an unused value gets the full boost, the only used value the full penalty
    assert scores[nodes[1].id]["allocation-spread"] == 1.0
    assert scores[nodes[0].id]["allocation-spread"] == -1.0


def test_spread_scores_a_node_without_the_attribute_minus_one() -> None:
    bare, racked = node(0), node(1, meta={"rack": "r1"})
    j = job(count=1, spreads=[Spread(attribute=RACK, spread_target=[
        SpreadTarget(value="r1", percent=100)])])
    [placed] = run(MemoryState([bare, racked], [j]), j).plan.placements()
    assert placed.node_id == racked.id
    assert placed.metrics is not None and placed.metrics.score_meta_data is not None
    scores = {e["NodeID"]: e["Scores"] for e in placed.metrics.score_meta_data}
    assert scores[bare.id]["allocation-spread"] == -1.0
    # desired 1, used 0 + this one: (1 - 1) / 1 = 0, so no spread score at all
    assert "allocation-spread" not in scores[racked.id]


@pytest.mark.parametrize(("use", "value", "expected"), [
    ({}, "a", 0.0),                      # nothing placed yet
    ({"a": 2, "b": 2}, "a", -1.0),       # even: every value is penalised
    ({"a": 2, "b": 4}, "a", 1.0),        # least used, others ahead: (4 - 2) / 2
    ({"a": 2, "b": 4}, "b", -1.0),       # (2 - 4) / 2
    ({"a": 2}, "c", 1.0),                # a value not used at all
])
def test_even_spread_boost(use: dict[str, int], value: str, expected: float) -> None:
    assert even_boost(use, value) == expected


def test_validation_uses_nomads_words() -> None:
    j = job(count=1, affinities=[Affinity(l_target=RACK, r_target="r1", weight=0)],
            spreads=[Spread(attribute=RACK, spread_target=[
                SpreadTarget(value="r1", percent=80), SpreadTarget(value="r1", percent=30)])])
    with pytest.raises(JobValidationError) as info:
        validate_job(j)
    text = str(info.value)
    assert "Affinity 1 validation failed: Affinity weight cannot be zero" in text
    assert 'Spread 1 validation failed: Spread target value "r1" already defined' in text
    assert ("Spread 1 validation failed: Sum of spread target percentages must not be greater "
            "than 100%; got 110%") in text


def test_system_jobs_may_not_have_preferences() -> None:
    j = job(type="system", count=1, group={"affinities": [Affinity(l_target=RACK,
                                                                   r_target="r1")]})
    with pytest.raises(JobValidationError, match="System jobs may not have an affinity block"):
        validate_job(j)
