"""python-nomad's calls on allocations, evaluations, nodes and a client's files and stats."""

from __future__ import annotations

import base64
import json

import pytest
from nomad.api import exceptions

from tests.agents import wait_until
from tests.integration.python_nomad.world import NO_ID, World

LOG = "alloc/logs/main.stdout.0"



def _alloc(w: World) -> str:
    alloc_id: str = w.running_alloc("pn-svc")["ID"]
    w.wait_log(alloc_id)
    return alloc_id


def get_allocations(w: World) -> None:
    alloc_id = _alloc(w)
    [stub] = w.api.allocations.get_allocations(prefix=alloc_id[:8])
    assert stub["ID"] == alloc_id and stub["JobID"] == "pn-svc" and stub["NodeID"] == w.node_id
    assert stub["ClientStatus"] == "running" and "TaskStates" in stub


def get_allocation(w: World) -> None:
    alloc = w.api.allocation.get_allocation(_alloc(w))
    assert alloc["Job"]["ID"] == "pn-svc" and alloc["TaskGroup"] == "main"
    assert alloc["TaskStates"]["main"]["State"] == "running"


def stop_allocation(w: World) -> None:
    first = w.running_alloc("pn-stop")
    reply = w.api.allocation.stop_allocation(first["ID"])
    assert reply["EvalID"] and reply["Index"] > 0
    assert w.api.allocation.get_allocation(first["ID"])["DesiredStatus"] == "stop"
    w.purge("pn-stop")


def get_evaluations(w: World) -> None:
    eval_id = w.api.job.get_evaluations(w.running_alloc("pn-svc")["JobID"])[0]["ID"]
    [stub] = w.api.evaluations.get_evaluations(prefix=eval_id)
    assert stub["ID"] == eval_id and stub["JobID"] == "pn-svc"


def get_evaluation(w: World) -> None:
    alloc = w.running_alloc("pn-svc")
    evaluation = w.api.evaluation.get_evaluation(alloc["EvalID"])
    assert evaluation["Status"] == "complete" and evaluation["Type"] == "service"


def eval_get_allocations(w: World) -> None:
    alloc = w.running_alloc("pn-svc")
    placed = w.api.evaluation.get_allocations(alloc["EvalID"])
    assert [a["ID"] for a in placed] == [alloc["ID"]]


def get_nodes(w: World) -> None:
    [node] = w.api.nodes.get_nodes()
    assert node["Status"] == "ready" and node["SchedulingEligibility"] == "eligible"
    assert {"ID", "Name", "Datacenter", "NodePool", "Drain"} <= set(node)


def get_node(w: World) -> None:
    node = w.api.node.get_node(w.node_id)
    assert node["Drivers"]["raw_exec"]["Healthy"] is True and "SecretID" not in node


def node_get_allocations(w: World) -> None:
    alloc_id = _alloc(w)
    assert alloc_id in [a["ID"] for a in w.api.node.get_allocations(w.node_id)]


def eligible_node(w: World) -> None:
    reply = w.api.node.eligible_node(w.node_id, ineligible=True)
    assert reply["NodeModifyIndex"] > 0 and "EvalIDs" in reply
    assert w.api.node.get_node(w.node_id)["SchedulingEligibility"] == "ineligible"
    w.api.node.eligible_node(w.node_id, eligible=True)
    assert w.api.node.get_node(w.node_id)["SchedulingEligibility"] == "eligible"


def evaluate_node(w: World) -> None:
    reply = w.api.node.evaluate_node(w.node_id)
    assert reply["EvalIDs"] and reply["EvalCreateIndex"] > 0
    assert w.api.evaluation.get_evaluation(reply["EvalIDs"][0])["TriggeredBy"] == "node-update"


def drain_node(w: World) -> None:
    # python-nomad sends the pre-0.10 `?enable=` and no body; Nomad decodes a body
    # (NodeUpdateDrainRequest) and refuses an empty one, so this call never works there.
    with pytest.raises(exceptions.BadRequestNomadException) as info:
        w.api.node.drain_node(w.node_id, enable=False)
    assert info.value.nomad_resp.text == "Request body is empty"
    assert w.api.node.get_node(w.node_id)["DrainStrategy"] is None


def drain_node_with_spec(w: World) -> None:
    reply = w.api.node.drain_node_with_spec(w.node_id, None, mark_eligible=True)
    assert reply["NodeModifyIndex"] > 0
    node = w.api.node.get_node(w.node_id)
    assert node["DrainStrategy"] is None and node["SchedulingEligibility"] == "eligible"


def purge_node(w: World) -> None:
    # No such node: Nomad's Node.Deregister answers "node not found".
    with pytest.raises(exceptions.BaseNomadException) as info:
        w.api.node.purge_node(NO_ID)
    assert info.value.nomad_resp.text == "node not found"


def read_stats(w: World) -> None:
    stats = w.api.client.stats.read_stats()
    assert stats["Memory"]["Total"] > 0 and stats["CPU"] and stats["Uptime"] > 0
    assert {"DiskStats", "Timestamp", "CPUTicksConsumed", "AllocDirStats"} <= set(stats)
    assert stats["AllocDirStats"]["Size"] > 0 and stats["CPUTicksConsumed"] >= 0
    assert [c["CPU"] for c in stats["CPU"]][:1] == ["cpu0"]
    assert {"User", "System", "Idle", "TotalPercent", "TotalTicks"} <= set(stats["CPU"][0])
    assert w.api.client.stats.read_stats(node_id=w.node_id)["Memory"]["Total"] > 0
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.client.stats.read_stats(node_id=NO_ID)
    with pytest.raises(exceptions.URLNotAuthorizedNomadException):
        w.api_as(None).client.stats.read_stats()  # needs node:read


def read_allocation_stats(w: World) -> None:
    usage = w.api.client.allocation.read_allocation_stats(_alloc(w))
    assert {"MemoryStats", "CpuStats"} <= set(usage["ResourceUsage"])
    assert "main" in usage["Tasks"] and usage["Timestamp"] > 0


def signal_allocation(w: World) -> None:
    alloc_id = _alloc(w)
    assert w.api.client.allocation.signal_allocation(alloc_id, "SIGCONT") == {}
    assert w.api.allocation.get_allocation(alloc_id)["ClientStatus"] == "running"


def restart_allocation(w: World) -> None:
    alloc_id = w.running_alloc("pn-restart")["ID"]
    assert w.api.client.allocation.restart_allocation(alloc_id) == {}
    wait_until(lambda: w.api.allocation.get_allocation(alloc_id)["TaskStates"]["main"][
        "Restarts"] == 1, 30, what="the task restarted")
    w.purge("pn-restart")


def list_files(w: World) -> None:
    names = {f["Name"]: f for f in w.api.client.ls.list_files(_alloc(w))}
    assert {"alloc", "main"} <= set(names) and names["alloc"]["IsDir"] is True


def stat_file(w: World) -> None:
    info = w.api.client.stat.stat_file(_alloc(w), LOG)
    assert info["Name"] == "main.stdout.0" and info["IsDir"] is False and info["Size"] > 0


def read_file(w: World) -> None:
    assert w.api.client.cat.read_file(_alloc(w), LOG).startswith("started\n")


def read_file_offset(w: World) -> None:
    assert w.api.client.read_at.read_file_offset(_alloc(w), 2, 3, LOG) == "art"


def stream_file(w: World) -> None:
    # Nomad's /fs/stream follows by default; the world's session cuts the body after
    # the first data frame (see world.cut_followed_stream).
    text = w.api.client.stream_file.stream(_alloc(w), 0, "start", LOG)
    frame = json.loads(text)
    assert frame["File"] == LOG and base64.b64decode(frame["Data"]).startswith(b"started")


def stream_logs(w: World) -> None:
    alloc_id = _alloc(w)
    assert w.api.client.stream_logs.stream(alloc_id, "main", "stdout", plain=True) \
        .startswith("started")


def gc_allocation(w: World) -> None:
    alloc_id = w.running_alloc("pn-gc")["ID"]
    w.purge("pn-gc")
    wait_until(lambda: w.api.allocation.get_allocation(alloc_id)["ClientStatus"] == "complete",
               30, what="the allocation stopped")
    assert w.api.client.gc_allocation.garbage_collect(alloc_id) is None
    with pytest.raises(exceptions.URLNotFoundNomadException):
        w.api.client.ls.list_files(alloc_id)


def gc_all_allocations(w: World) -> None:
    assert w.api.client.gc_all_allocations.garbage_collect() is None
    assert w.api.client.gc_all_allocations.garbage_collect(node_id=w.node_id) is None
    assert w.api.allocation.get_allocation(_alloc(w))["ClientStatus"] == "running"


ROWS = [
    ("allocations.get_allocations", get_allocations, None),
    ("allocation.get_allocation", get_allocation, None),
    ("allocation.stop_allocation", stop_allocation, None),
    ("evaluations.get_evaluations", get_evaluations, None),
    ("evaluation.get_evaluation", get_evaluation, None),
    ("evaluation.get_allocations", eval_get_allocations, None),
    ("nodes.get_nodes", get_nodes, None),
    ("node.get_node", get_node, None),
    ("node.get_allocations", node_get_allocations, None),
    ("node.eligible_node", eligible_node, None),
    ("node.evaluate_node", evaluate_node, None),
    ("node.drain_node", drain_node, None),
    ("node.drain_node_with_spec", drain_node_with_spec, None),
    ("node.purge_node", purge_node, None),
    ("client.stats.read_stats", read_stats, None),
    ("client.allocation.read_allocation_stats", read_allocation_stats, None),
    ("client.allocation.signal_allocation", signal_allocation, None),
    ("client.allocation.restart_allocation", restart_allocation, None),
    ("client.ls.list_files", list_files, None),
    ("client.stat.stat_file", stat_file, None),
    ("client.cat.read_file", read_file, None),
    ("client.read_at.read_file_offset", read_file_offset, None),
    ("client.stream_file.stream", stream_file, None),
    ("client.stream_logs.stream", stream_logs, None),
    ("client.gc_allocation.garbage_collect", gc_allocation, None),
    ("client.gc_all_allocations.garbage_collect", gc_all_allocations, None),
]
