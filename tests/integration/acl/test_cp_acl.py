"""ACLs on the `alloc cp` WebSocket: exactly exec's (alloc-exec, plus alloc-node-exec
for raw_exec), since a copy is exec by other means; namespaces as for exec."""

from __future__ import annotations

import asyncio

import pytest

from caravan.api import Client
from caravan.api.copy import CopyRequest, copy_session
from caravan.api.errors import APIError
from caravan.api.exec import ExecError
from caravan.ids import random_id
from tests.integration.acl.cluster import TEAM_A, Case, Cluster, _register, _rules_lacking
from tests.integration.acl.cluster import _running_alloc as running_alloc

pytestmark = pytest.mark.integration

ONLY_EXEC = 'namespace "default" {\n  capabilities = ["alloc-exec"]\n}\n'
BOTH = 'namespace "default" {\n  capabilities = ["alloc-exec", "alloc-node-exec"]\n}\n'


def _download(cluster: Cluster, secret: str, alloc_id: str) -> tuple[str, object]:
    """("ok", exit code) or ("denied", the refusal) for a copy of the task's `local` dir."""
    async def session() -> tuple[str, object]:
        client = Client(address=cluster.agent.address, token=secret)
        try:
            async with copy_session(client, alloc_id, "main",
                                    CopyRequest("download", "local")) as copy:
                async for _ in copy:
                    pass
                return "ok", copy.exit_code
        except (APIError, ExecError) as err:
            return "denied", str(err)
    return asyncio.run(session())


def test_cp_into_raw_exec_needs_alloc_exec_and_alloc_node_exec(cluster: Cluster) -> None:
    raw = cluster.web_alloc
    assert _download(cluster, cluster.token(ONLY_EXEC), raw) == ("denied", "Permission denied")
    write = cluster.token('namespace "default" {\n  policy = "write"\n}\n')
    assert _download(cluster, write, raw)[0] == "denied"
    assert _download(cluster, cluster.token(BOTH), raw) == ("ok", 0)
    assert _download(cluster, random_id(), raw)[0] == "denied"


def test_cp_into_an_exec_task_needs_alloc_exec(cluster: Cluster) -> None:
    _register(cluster.root, "cp-isolated", driver="exec")
    alloc = running_alloc(cluster.root, "cp-isolated", "default")
    assert _download(cluster, cluster.token(ONLY_EXEC), alloc) == ("ok", 0)
    lacking = cluster.token(_rules_lacking(Case("", "", "", ("alloc-exec",))))
    assert _download(cluster, lacking, alloc)[0] == "denied"
    read_fs = cluster.token('namespace "default" {\n  capabilities = ["read-fs"]\n}\n')
    assert _download(cluster, read_fs, alloc)[0] == "denied"  # alloc fs is not alloc cp


def test_cp_across_namespaces_is_refused(cluster: Cluster) -> None:
    assert _download(cluster, cluster.token(TEAM_A), cluster.other_alloc)[0] == "denied"
