"""The scheduler's caches across evaluations: a node's computed class, the candidate
walk, and the lazily shuffled candidate order. Each must answer as if computed afresh."""

from __future__ import annotations

from collections.abc import Iterable

from caravan.server.scheduler.candidates import Shuffled, candidates
from caravan.server.scheduler.feasible import computed_class
from caravan.structs import Job, Node
from tests.unit.scheduler.factories import node


class Nodes:
    def __init__(self, nodes: list[Node]) -> None:
        self.list = nodes

    def nodes(self) -> Iterable[Node]:
        return self.list


def test_computed_class_follows_a_new_node_object_with_the_same_id_and_index() -> None:
    first = node(1)
    assert computed_class(first) == computed_class(first)
    changed = node(1, attributes={"kernel.name": "windows"})  # same ID, modify_index 0
    assert computed_class(changed) != computed_class(first)
    assert computed_class(first.model_copy(update={"modify_index": 7})) == computed_class(first)


def test_candidates_follow_node_changes_between_evaluations() -> None:
    job = Job(id="j", datacenters=["dc1"])
    state = Nodes([node(i) for i in range(4)])
    assert [n.id for n in candidates(state, job).nodes] == [n.id for n in state.list]
    state.list[2] = state.list[2].model_copy(update={"status": "down"})
    state.list.append(node(9, datacenter="dc2"))
    found = candidates(state, job)
    assert [n.id for n in found.nodes] == [state.list[i].id for i in (0, 1, 3)]
    assert found.by_datacenter == {"dc1": 3}


def test_lazy_shuffle_is_a_permutation_fixed_by_the_seed() -> None:
    nodes = [node(i) for i in range(50)]
    one, two = Shuffled(list(nodes), "seed-a"), Shuffled(list(nodes), "seed-a")
    first_three = [one[i].id for i in range(3)]
    assert first_three == [two[i].id for i in range(3)]
    order = [one[i].id for i in range(len(one))]
    assert sorted(order) == sorted(n.id for n in nodes)
    assert order[:3] == first_three  # reading further never reorders what was read
    assert order != [n.id for n in nodes]
    other = Shuffled(list(nodes), "seed-b")
    assert [other[i].id for i in range(len(other))] != order
