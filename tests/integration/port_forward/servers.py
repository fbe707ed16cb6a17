"""The jobs the port-forward tests run: an HTTP server (Python's, with a listen backlog
deep enough for the tests' 20 concurrent connections; `-m http.server` keeps 5) serving an
index that names the task, a "digest" server for half-close, and a port nobody serves.

    http    GET / -> "<name>-index"
    digest  reads until EOF, then answers "<byte count> <sha256 hex>" and closes
    idle    nothing listens
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.agents import AgentProcess, wait_until

DIGEST = ("import hashlib,os,socket\n"
          "s=socket.create_server((os.environ['NOMAD_IP_digest'],"
          "int(os.environ['NOMAD_PORT_digest'])))\n"
          "while True:\n"
          " c,_=s.accept();h=hashlib.sha256();n=0\n"
          " while d:=c.recv(65536): h.update(d);n+=len(d)\n"
          " c.sendall(f'{n} {h.hexdigest()}'.encode());c.close()\n")


HTTP = ("import http.server as h,os\n"
        "class S(h.ThreadingHTTPServer): request_queue_size = 128\n"
        "S((os.environ['NOMAD_IP_http'],int(os.environ['NOMAD_PORT_http'])),"
        "h.SimpleHTTPRequestHandler).serve_forever()\n")


def serve_script(name: str, root: str) -> str:
    return (f"mkdir -p {root} && echo {name}-index > {root}/index.html && cd {root} && "
            "python3 -c \"$DIGEST\" & "
            f"cd {root} && exec python3 -c \"$HTTP\"")


def forward_job(job_id: str, driver: str, constraints: list[dict[str, str]] | None = None,
                ) -> dict[str, Any]:
    """A service job whose one task `main` serves `http` and `digest`, with `idle` unserved."""
    root = "local" if driver == "raw_exec" else "/local"
    task: dict[str, Any] = {
        "Name": "main", "Driver": driver, "KillTimeout": 1_000_000_000,
        "Config": {"command": "/bin/sh", "args": ["-c", serve_script(job_id, root)]},
        "Env": {"DIGEST": DIGEST, "HTTP": HTTP},
        "Resources": {"CPU": 100, "MemoryMB": 128}}
    if driver == "exec":
        task["User"] = "nobody"
    network = {"Mode": "host", "DynamicPorts": [{"Label": "http"}, {"Label": "digest"},
                                                {"Label": "idle"}]}
    job: dict[str, Any] = {"ID": job_id, "Type": "service", "Datacenters": ["dc1"],
                           "TaskGroups": [{"Name": "main", "Count": 1, "Tasks": [task],
                                           "Networks": [network]}]}
    if constraints:
        job["Constraints"] = constraints
    return {"Job": job}


def ports(alloc: dict[str, Any]) -> dict[str, int]:
    return {p["Label"]: p["Value"] for p in alloc["AllocatedResources"]["Shared"]["Ports"]}


def run_served(agent: AgentProcess, body: dict[str, Any],
               headers: dict[str, str] | None = None) -> dict[str, Any]:
    """Register the job and wait until its HTTP server answers on the node (directly)."""
    job_id = body["Job"]["ID"]
    http = httpx.Client(base_url=agent.address, headers=headers or {}, timeout=10)
    with http:
        reply = http.put("/v1/jobs", json=body)
        assert reply.status_code == 200, reply.text

        def running() -> dict[str, Any] | None:
            for stub in http.get(f"/v1/job/{job_id}/allocations").json():
                if stub["ClientStatus"] == "running":
                    full: dict[str, Any] = http.get(f"/v1/allocation/{stub['ID']}").json()
                    return full
            return None

        alloc: dict[str, Any] = wait_until(running, 60, what=f"{job_id} running")
    url = f"http://127.0.0.1:{ports(alloc)['http']}/"
    wait_until(lambda: _answers(url), 60, what=f"{job_id}'s HTTP server")
    return alloc


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
