"""Follows a node's drain as Nomad's `node drain` prints it: each allocation on the node
that is marked for migration, stopped or changes status, then `Drain complete for node`
and `All allocations on node "<id>" have stopped`.

One loop of blocking queries on the node's allocations (each wait bounded, so the
node's own drain state is read again at least every few seconds)."""

from __future__ import annotations

from datetime import UTC, datetime

from caravan.api import Client
from caravan.api.query import QueryOptions
from caravan.cli.common import Ui
from caravan.cli.formatting import format_time
from caravan.structs import Allocation, Node
from caravan.structs.drain import DrainStrategy

_WAIT_S = 2.0


def say(ui: Ui, text: str) -> None:
    moment = datetime.fromtimestamp(ui.now_ns() / 1e9, tz=UTC)
    ui.output(f"{format_time(moment)}: {text}")


def strategy_text(strategy: DrainStrategy) -> str:
    if strategy.ignore_system_jobs:
        return f"drain ignoring system jobs and deadline at {strategy.force_deadline}"
    return f"drain with deadline at {strategy.force_deadline}"


def alloc_change(before: Allocation, after: Allocation) -> str:
    """Nomad's message for one allocation's change, or "" when it is not worth one."""
    moving = bool(after.desired_transition.migrate)
    if before.client_status != after.client_status:
        return f"status {before.client_status} -> {after.client_status}"
    if moving and not before.desired_transition.migrate:
        return "marked for migration"
    if moving and before.desired_status != after.desired_status and \
            after.desired_status == "stop":
        return "draining"
    return ""


def running(allocs: list[Allocation], ignore_system: bool) -> int:
    return sum(1 for a in allocs if a.client_status in ("pending", "running")
               and not (ignore_system and a.job is not None and a.job.type == "system"))


def monitor_drain(client: Client, ui: Ui, node_id: str, ignore_system: bool) -> None:
    """Returns once the drain is complete and every allocation on the node has stopped."""
    allocs, meta = client.nodes.allocations(node_id)
    seen = {a.id: a for a in allocs}
    index = meta.last_index
    node_done = allocs_done = False
    last: DrainStrategy | None = None
    while not (node_done and allocs_done):
        if not allocs_done:
            allocs, meta = client.nodes.allocations(
                node_id, QueryOptions(wait_index=index, wait_time=_WAIT_S))
            index = max(index, meta.last_index)
            for alloc in allocs:
                before = seen.get(alloc.id)
                seen[alloc.id] = alloc
                change = alloc_change(before, alloc) if before is not None else ""
                if change:
                    say(ui, f'Alloc "{alloc.id}" {change}')
            if running(allocs, ignore_system) == 0:
                say(ui, f'All allocations on node "{node_id}" have stopped')
                allocs_done = True
        if not node_done:
            node, _ = client.nodes.info(node_id)
            node_done, last = _node_news(ui, node, last)
            if allocs_done and not node_done:
                client.nodes.info(node_id, QueryOptions(wait_index=index, wait_time=_WAIT_S))


def _node_news(ui: Ui, node: Node, last: DrainStrategy | None
               ) -> tuple[bool, DrainStrategy | None]:
    strategy = node.drain_strategy
    if strategy is None:
        say(ui, f"Drain complete for node {node.id}")
        return True, last
    if node.status == "down":
        say(ui, f'Node "{node.id}" down')
    if last is not None and strategy != last:
        say(ui, f'Node "{node.id}" drain updated: {strategy_text(strategy)}')
    return False, strategy
