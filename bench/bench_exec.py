"""`alloc exec`'s costs, each next to baselines measured in the same run (issue 4).

    python bench/bench_exec.py [-n 20] [--sessions 50] [--size 1G]

1. Round trip of `caravan alloc exec <alloc> true` (a whole CLI process), median of N,
   next to `runc exec <container> true` on the same container and `ssh localhost true`
   (a private sshd on a free loopback port, key auth, keys made for this run). Also
   one session opened from an already running Python program (no CLI start-up).
2. Throughput of `head -c <size> /dev/zero` through each of the three, into `wc -c`.
3. Time to open --sessions concurrent sessions (each runs `read`), and the memory they
   cost: the agent's RSS, and the foreground `runc exec` helper each session keeps.

Prints figures; asserts nothing. Needs root and runc. Installs openssh-server with
apt-get when sshd is missing; the sshd it starts is stopped by PID at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from caravan.api import Client  # noqa: E402
from caravan.api.exec import exec_session  # noqa: E402
from caravan.client.drivers.executor.proc import read_stat  # noqa: E402
from metric import emit  # noqa: E402
from tests.agents import CARAVAN, AgentProcess, free_port  # noqa: E402


def median_ms(run: Callable[[], object], n: int) -> float:
    run()  # warm-up
    times = []
    for _ in range(n):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def quiet(argv: list[str]) -> None:
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)


def throughput(shell: str, size: int) -> float:
    """MB/s of `shell` (which prints `size` bytes) into `wc -c`."""
    start = time.perf_counter()
    out = subprocess.run(["sh", "-c", f"{shell} | wc -c"], capture_output=True, text=True,
                         stdin=subprocess.DEVNULL, check=True).stdout
    elapsed = time.perf_counter() - start
    if int(out.strip() or 0) != size:
        raise RuntimeError(f"{shell!r} delivered {out.strip()} bytes, not {size}")
    return size / elapsed / 1e6


def rss_kib(pid: int) -> int:
    stat = read_stat(pid)
    return stat.rss_bytes // 1024 if stat else 0


def children_named(parent: int, name: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            comm, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:]
            if comm == name and int(rest.split()[1]) == parent:
                found.append(int(entry))
    return found


# ---- a private sshd -----------------------------------------------------------------------


class Sshd:
    """sshd -D on 127.0.0.1:<free port> with a host key and one authorized key of our own."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None
        self.made_run_dir = False

    def start(self) -> Sshd:
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        if not os.path.exists(sshd):
            print("  sshd missing: apt-get install -y openssh-server", flush=True)
            subprocess.run(["apt-get", "install", "-y", "openssh-server"], check=True,
                           env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                           stdout=subprocess.DEVNULL)
        for key in ("host_key", "id"):
            quiet(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(self.root / key)])
        shutil.copy(self.root / "id.pub", self.root / "authorized_keys")
        config = self.root / "sshd_config"
        config.write_text(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {self.root / "host_key"}
PidFile {self.root / "sshd.pid"}
AuthorizedKeysFile {self.root / "authorized_keys"}
StrictModes no
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
""")
        if not os.path.isdir("/run/sshd"):  # sshd's privilege separation directory
            os.makedirs("/run/sshd", mode=0o755)
            self.made_run_dir = True
        self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("sshd did not start")

    def argv(self, command: str) -> list[str]:
        return ["ssh", "-q", "-i", str(self.root / "id"), "-p", str(self.port),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "BatchMode=yes", "root@127.0.0.1", command]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.made_run_dir:
            shutil.rmtree("/run/sshd", ignore_errors=True)


# ---- the measurements ---------------------------------------------------------------------


async def api_true(client: Client, alloc_id: str) -> None:
    async with exec_session(client, alloc_id, "main", ["true"]) as session:
        await session.close_stdin()
        async for _ in session:
            pass


def api_round_trip(address: str, alloc_id: str, n: int) -> float:
    async def many(client: Client) -> list[float]:
        times = []
        for _ in range(n + 1):
            start = time.perf_counter()
            await api_true(client, alloc_id)
            times.append(time.perf_counter() - start)
        return times[1:]

    with Client(address, env={}) as client:
        return statistics.median(asyncio.run(many(client))) * 1000


async def open_sessions(address: str, alloc_id: str, count: int,
                        report: Callable[[float], None]) -> None:
    """Open `count` sessions at once; `report(seconds)` once every command runs."""
    with Client(address, env={}) as client:
        sessions = [exec_session(client, alloc_id, "main",
                                 ["/bin/sh", "-c", "echo ready; read x"]) for _ in range(count)]
        start = time.perf_counter()
        opened = await asyncio.gather(*(s.__aenter__() for s in sessions))
        await asyncio.gather(*(anext(s) for s in opened))  # "ready" from every command
        report(time.perf_counter() - start)
        for session in opened:
            await session.send_stdin(b"bye\n")
        for session, context in zip(opened, sessions):
            async for _ in session:
                pass
            await context.__aexit__(None, None, None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=20)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--size", default="1G", help="bytes for the throughput run (head -c)")
    args = parser.parse_args()
    size = int(args.size[:-1]) * {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[args.size[-1]] \
        if args.size[-1] in "KMG" else int(args.size)
    with tempfile.TemporaryDirectory(prefix="bench-alloc-exec-") as tmp:
        root = Path(tmp)
        (root / "ssh").mkdir()
        agent = AgentProcess(root=root, name="bench").start()
        sshd = Sshd(root / "ssh")
        try:
            sshd.start()
            run_bench(agent, sshd, args.n, args.sessions, size)
        finally:
            sshd.stop()
            agent.stop()


def run_bench(agent: AgentProcess, sshd: Sshd, n: int, sessions: int, size: int) -> None:
    job = {"Job": {"ID": "bench", "Type": "service", "Datacenters": ["dc1"], "TaskGroups": [{
        "Name": "g", "Count": 1, "Tasks": [{
            "Name": "main", "Driver": "exec", "User": "nobody", "KillTimeout": 200_000_000,
            "Config": {"command": "/bin/sleep", "args": ["3600"]},
            "Resources": {"CPU": 500, "MemoryMB": 512}}]}]}}
    with httpx.Client(base_url=agent.address, timeout=60) as http:
        http.post("/v1/jobs", json=job).raise_for_status()
        alloc_id = ""
        while not alloc_id:
            allocs = http.get("/v1/job/bench/allocations").json()
            alloc_id = next((a["ID"] for a in allocs if a["ClientStatus"] == "running"), "")
            time.sleep(0.1)
    runc_root = agent.data_dir / "client" / "drivers" / "exec" / "runc"
    cid = subprocess.run(["runc", "--root", str(runc_root), "list", "-q"], capture_output=True,
                         text=True, check=True).stdout.split()[0]
    runc = f"runc --root {runc_root} exec {cid}"
    cli = f"{CARAVAN} alloc exec {alloc_id}"
    os.environ["CARAVAN_ADDR"] = agent.address
    print(f"1. round trip of `true`, median of {n} (ms)")
    cli_ms = median_ms(lambda: quiet(cli.split() + ['true']), n)
    print(f"  caravan alloc exec (CLI):  {cli_ms:8.1f}")
    print(f"  API session (in-process):  {api_round_trip(agent.address, alloc_id, n):8.1f}")
    runc_ms = median_ms(lambda: quiet(runc.split() + ['true']), n)
    print(f"  runc exec (same container):{runc_ms:8.1f}")
    ssh_ms = median_ms(lambda: quiet(sshd.argv('true')), n)
    print(f"  ssh localhost:             {ssh_ms:8.1f}")
    print(f"2. throughput of head -c {size} /dev/zero (MB/s)")
    head = f"head -c {size} /dev/zero"
    cli_mbs = throughput(f'{cli} {head} </dev/null', size)
    print(f"  caravan alloc exec:        {cli_mbs:8.0f}")
    runc_mbs = throughput(f'{runc} {head}', size)
    print(f"  runc exec:                 {runc_mbs:8.0f}")
    ssh = " ".join(sshd.argv(head))
    ssh_mbs = throughput(ssh, size)
    print(f"  ssh localhost:             {ssh_mbs:8.0f}")
    assert agent.proc is not None
    before = rss_kib(agent.proc.pid)
    opened: dict[str, float] = {}

    def report(seconds: float) -> None:
        assert agent.proc is not None
        helpers = [rss_kib(p) for p in children_named(agent.proc.pid, "runc")]
        opened.update(seconds=seconds, rss_mib=(rss_kib(agent.proc.pid) - before) / 1024)
        print(f"3. {sessions} concurrent sessions")
        print(f"  all open and running:      {seconds * 1000:8.0f} ms")
        print(f"  agent RSS:                 {before / 1024:8.1f} MiB before, "
              f"{rss_kib(agent.proc.pid) / 1024:.1f} MiB with them open")
        if helpers:
            print(f"  runc exec helpers:         {len(helpers)} processes, "
                  f"{statistics.mean(helpers) / 1024:.1f} MiB RSS each")

    asyncio.run(open_sessions(agent.address, alloc_id, sessions, report))
    print(f"  agent RSS after they closed: {rss_kib(agent.proc.pid) / 1024:.1f} MiB")
    emit(f"alloc exec true, CLI vs runc exec, median of {n}", cli_ms, runc_ms, "ms",
         "<=4x and <100", ssh_ms=ssh_ms)
    emit("alloc exec true, CLI vs ssh localhost", cli_ms, ssh_ms, "ms", "<=1x")
    emit(f"{size >> 20} MiB through alloc exec vs runc exec", cli_mbs, runc_mbs, "MB/s",
         ">=0.8x", ssh_mbs=ssh_mbs)
    emit(f"{size >> 20} MiB through alloc exec vs ssh", cli_mbs, ssh_mbs, "MB/s", ">=1x")
    emit(f"{sessions} concurrent exec sessions open", opened.get("seconds"), None, "s", "<=3")
    emit(f"agent RSS growth with {sessions} sessions open", opened.get("rss_mib"), None, "MiB",
         "<=50")


if __name__ == "__main__":
    main()
