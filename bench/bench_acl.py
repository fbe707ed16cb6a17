"""The cost of authorization: requests/s for `GET /v1/jobs` with ACLs off and on.

    python bench/bench_acl.py [-n 3000] [--jobs 5]

Two server agents on loopback, started in the same run: one without ACLs, one with
`acl { enabled = true }` queried with a client token whose policy grants `read` on
the default namespace (so every request resolves the token and checks list-jobs).
One keep-alive httpx connection per agent; the two are measured in alternating
rounds so drift on the machine affects both alike, and the median round is
reported (single rounds vary by 10-20% on a busy 2-core machine, far more than
the 5-10 microseconds a token resolution costs). Prints figures; asserts nothing.
The aim is under 10% overhead, which the compiled-policy cache is there to give.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from caravan.ids import random_id  # noqa: E402
from tests.agents import AgentProcess, wait_until  # noqa: E402

ROUNDS = 10
WARMUP = 500
READ_DEFAULT = 'namespace "default" {\n  policy = "read"\n}\n'


@dataclass
class AclServer(AgentProcess):
    """A server agent with ACLs on, bootstrapped with a secret chosen here."""

    root_secret: str = field(default_factory=random_id)

    def wait_ready(self, timeout_s: float) -> None:
        def leader() -> bool:
            try:
                return httpx.get(f"{self.address}/v1/status/leader", timeout=1).is_success
            except httpx.HTTPError:
                return False

        wait_until(leader, timeout_s, what="the ACL agent")
        httpx.post(f"{self.address}/v1/acl/bootstrap", timeout=10,
                   json={"BootstrapSecret": self.root_secret}).raise_for_status()


def job(job_id: str) -> dict[str, object]:
    return {"Job": {"ID": job_id, "Type": "batch", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Tasks": [{"Name": "t", "Driver": "raw_exec",
                                "Config": {"command": "/bin/true"},
                                "Resources": {"CPU": 20, "MemoryMB": 16}}]}]}}


def client_token(agent: AclServer) -> str:
    headers = {"X-Nomad-Token": agent.root_secret}
    with httpx.Client(base_url=agent.address, headers=headers, timeout=10) as http:
        http.put("/v1/acl/policy/readers", json={"Name": "readers",
                                                  "Rules": READ_DEFAULT}).raise_for_status()
        reply = http.put("/v1/acl/token", json={"Type": "client", "Policies": ["readers"]})
        reply.raise_for_status()
        return str(reply.json()["SecretID"])


def seed(http: httpx.Client, jobs: int) -> None:
    for i in range(jobs):
        http.put("/v1/jobs", json=job(f"bench-{i}")).raise_for_status()


def rate(http: httpx.Client, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        http.get("/v1/jobs").raise_for_status()
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=3000, help="requests per agent")
    parser.add_argument("--jobs", type=int, default=5)
    args = parser.parse_args()
    per_round = max(1, args.n // ROUNDS)
    with tempfile.TemporaryDirectory() as root:
        plain = AgentProcess(root=Path(root), name="off", dev=False, client=False)
        secured = AclServer(root=Path(root), name="on", dev=False, client=False,
                            config="acl {\n  enabled = true\n}\n")
        try:
            plain.start()
            secured.start()
            token = client_token(secured)
            with httpx.Client(base_url=plain.address, timeout=10) as off, \
                    httpx.Client(base_url=secured.address, timeout=10,
                                 headers={"X-Nomad-Token": token}) as on:
                seed(off, args.jobs)
                with httpx.Client(base_url=secured.address, timeout=10,
                                  headers={"X-Nomad-Token": secured.root_secret}) as admin:
                    seed(admin, args.jobs)
                rate(off, WARMUP)
                rate(on, WARMUP)  # warm both: connections, the ACL cache
                off_rates, on_rates = [], []
                for _ in range(ROUNDS):
                    off_rates.append(rate(off, per_round))
                    on_rates.append(rate(on, per_round))
        finally:
            secured.stop()
            plain.stop()
    off_rps, on_rps = statistics.median(off_rates), statistics.median(on_rates)
    total = per_round * ROUNDS
    print(f"GET /v1/jobs ({args.jobs} jobs), {total} requests each in {ROUNDS} alternating "
          "rounds, keep-alive, loopback; median round (min-max)")
    print(f"  ACLs off:                      {off_rps:8.0f} req/s  "
          f"({min(off_rates):.0f}-{max(off_rates):.0f})")
    print(f"  ACLs on (client token, read):  {on_rps:8.0f} req/s  "
          f"({min(on_rates):.0f}-{max(on_rates):.0f})")
    print(f"  overhead: {(off_rps - on_rps) / off_rps * 100:5.1f}%   (aim: under 10%)")
    emit(f"GET /v1/jobs ({args.jobs} jobs), ACLs on vs off", on_rps, off_rps, "req/s", ">=0.9x")


if __name__ == "__main__":
    main()
