"""What the eval monitor says about each step of an evaluation (the pure part)."""

from __future__ import annotations

from caravan.cli.monitor import AllocSnapshot, EvalSnapshot, eval_changes

ALLOC = "0a1b2c3d-0000-0000-0000-000000000001"
NODE = "9f8e7d6c-0000-0000-0000-000000000002"


def alloc(client: str = "pending", desired: str = "run", index: int = 10,
          desc: str = "") -> AllocSnapshot:
    return AllocSnapshot(ALLOC, "web", NODE, desired, client, desc, index)


def test_first_complete_snapshot() -> None:
    new = EvalSnapshot(status="complete", job="hello", create_index=9,
                       allocs={ALLOC: alloc()})
    assert eval_changes(EvalSnapshot(), new, 8) == [
        'Evaluation triggered by job "hello"',
        'Allocation "0a1b2c3d" created: node "9f8e7d6c", group "web"',
        'Evaluation status changed: "pending" -> "complete"',
    ]


def test_nothing_changed_says_nothing() -> None:
    snap = EvalSnapshot(status="pending", job="hello", allocs={ALLOC: alloc()})
    assert eval_changes(snap, snap, 8) == []


def test_older_alloc_is_modified_and_stopped_alloc_is_silent() -> None:
    new = EvalSnapshot(status="complete", job="hello", create_index=20,
                       allocs={ALLOC: alloc(index=5)})
    assert 'Allocation "0a1b2c3d" modified: node "9f8e7d6c", group "web"' in \
        eval_changes(EvalSnapshot(job="hello"), new, 8)
    stopped = EvalSnapshot(status="complete", job="hello", create_index=5,
                           allocs={ALLOC: alloc(desired="stop", index=7)})
    assert eval_changes(EvalSnapshot(job="hello"), stopped, 8) == [
        'Evaluation status changed: "pending" -> "complete"']


def test_alloc_status_change_with_description_and_full_ids() -> None:
    old = EvalSnapshot(job="j", allocs={ALLOC: alloc()})
    new = EvalSnapshot(job="j", allocs={ALLOC: alloc("running", desc="Tasks are running")})
    assert eval_changes(old, new, 36) == [
        f'Allocation "{ALLOC}" status changed: "pending" -> "running" (Tasks are running)']


def test_node_triggered_eval() -> None:
    new = EvalSnapshot(node=NODE)
    assert eval_changes(EvalSnapshot(), new, 8) == ['Evaluation triggered by node "9f8e7d6c"']
