"""One -dev agent with the allocations the alloc debug tests copy, and a session helper.

    crashed  exec batch, user nobody, wrote local/crash.txt and secrets/s.txt, exit 3:
             failed, never restarted
    raw      raw_exec batch, user nobody, wrote local/crash.txt, exit 4: failed
    web      exec service, running
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from tests.agents import AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, run
from tests.integration.jobs import raw_exec_job

CRASH = ("echo left-by-$NOMAD_ALLOC_ID > /local/crash.txt; echo secret > /secrets/s.txt; "
         "exit 3")


@dataclass
class Allocs:
    agent: AgentProcess
    crashed: dict[str, Any]
    raw: dict[str, Any]
    web: dict[str, Any]


def crashed_job(job_id: str) -> dict[str, Any]:
    job = exec_job(job_id, CRASH, user="nobody")
    job["Job"]["TaskGroups"][0]["Tasks"][0]["Env"] = {"DEBUG_MARK": "mark-1"}
    return job


def raw_crashed_job(job_id: str) -> dict[str, Any]:
    job = raw_exec_job(job_id, job_type="batch", restart_attempts=0,
                       args=["-c", "echo raw-left > local/crash.txt; exit 4"])
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    task["User"] = "nobody"
    task["Env"] = {"DEBUG_MARK": "mark-raw"}
    return job


def wait_failed(agent: AgentProcess, alloc: dict[str, Any], token: str = "") -> None:
    headers = {"X-Nomad-Token": token} if token else {}
    wait_until(lambda: httpx.get(f"{agent.address}/v1/allocation/{alloc['ID']}", timeout=10,
                                 headers=headers).json()["ClientStatus"] == "failed",
               60, what="alloc failed")


@pytest.fixture(scope="package")
def allocs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Allocs]:
    agent = AgentProcess(root=tmp_path_factory.mktemp("debug"), name="debug")
    try:
        agent.start()
        crashed = run(agent, crashed_job("crashed"))
        raw = run(agent, raw_crashed_job("raw"))
        web = run(agent, exec_job("web", "exec sleep 3600", job_type="service",
                                  user="nobody"), until="running")
        wait_failed(agent, crashed)
        wait_failed(agent, raw)
        yield Allocs(agent, crashed, raw, web)
    finally:
        agent.stop()


def open_debug(agent: AgentProcess, alloc_id: str, command: list[str], *, task: str = "main",
               token: str = "", route: str = "debug",
               extra: dict[str, str] | None = None) -> ClientConnection:
    query = urlencode({"task": task, "command": json.dumps(command), "tty": "false",
                       **(extra or {})})
    url = agent.address.replace("http://", "ws://", 1) + \
        f"/v1/client/allocation/{alloc_id}/{route}?{query}"
    return connect(url, additional_headers={"X-Nomad-Token": token} if token else {},
                   open_timeout=10, close_timeout=5)


def read_until_exit(ws: ClientConnection) -> tuple[int, str]:
    out = b""
    while True:
        frame = json.loads(ws.recv(timeout=60))
        out += base64.b64decode(frame.get("stdout", {}).get("data", "") or "")
        if frame.get("exited"):
            return frame.get("result", {}).get("exit_code", 0), out.decode()


def debug(agent: AgentProcess, alloc_id: str, command: list[str], *, task: str = "main",
          token: str = "") -> tuple[str, int | None, str]:
    """("ok", exit code, stdout), or ("denied", None, reason) however the agent refused."""
    try:
        with open_debug(agent, alloc_id, command, task=task, token=token) as ws:
            ws.send(json.dumps({"stdin": {"close": True}}))
            return ("ok", *read_until_exit(ws))
    except InvalidStatus as e:
        return "denied", None, e.response.body.decode(errors="replace").strip()
    except ConnectionClosed as e:
        return "denied", None, e.rcvd.reason if e.rcvd is not None else ""
