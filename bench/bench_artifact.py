"""A ~50 MiB tar.gz artifact: allocation received -> task running on a real dev agent, and
fetch + unpack through `fetch_artifact` alone (median of N), next to plain `curl -s` +
`tar xzf` of the same file from the same server, same run.

    python bench/bench_artifact.py [-n 5]

Prints figures; asserts nothing. The server is `python -m http.server` in its own
process on 127.0.0.1, so it does not share a GIL with the fetch being measured. The
archive mixes random bytes (incompressible, like binaries) with repetitive text (like
configs and logs). `fetch_artifact` is measured with a sha256 checksum option, as the
seed example uses, and without one; the baselines are curl + tar, and curl +
sha256sum + tar (the same work, checksum included).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import io
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from metric import emit  # noqa: E402
from caravan.client.artifacts import ArtifactConfig, fetch_artifact  # noqa: E402
from caravan.structs import TaskArtifact  # noqa: E402
from tests.agents import AgentProcess  # noqa: E402

MIB = 1 << 20


def build_archive(path: Path) -> tuple[str, int, int]:
    """~50 MiB of tar.gz: 4 random 12 MiB "binaries" and ~24 MiB of repetitive text.

    Returns the sha256 of the archive, the unpacked bytes and the file count.
    """
    files = [(f"app/bin/tool{i}", os.urandom(12 * MIB), 0o755) for i in range(4)]
    for i in range(8):
        lines = b"".join(b"%08d level=info msg=\"request served\" path=/v1/jobs ms=%d\n"
                         % (n, n % 97) for n in range(3 * MIB // 64))
        files.append((f"app/share/log{i}.txt", lines, 0o644))
    with tarfile.open(path, "w:gz", compresslevel=6) as tar:
        for name, data, mode in files:
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), mode
            tar.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest, sum(len(data) for _, data, _ in files), len(files)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def start_server(directory: Path, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen([sys.executable, "-m", "http.server", "--bind", "127.0.0.1",
                             str(port), "--directory", str(directory)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    stop_server(proc)
    raise RuntimeError("http.server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def timed(runs: int, work: Callable[[Path], None], scratch: Path) -> list[float]:
    times = []
    for i in range(runs):
        target = scratch / f"run-{i}"
        target.mkdir()
        start = time.perf_counter()
        work(target)
        times.append(time.perf_counter() - start)
        shutil.rmtree(target)
    return times


def via_caravan(url: str, digest: str | None) -> Callable[[Path], None]:
    options = {"checksum": f"sha256:{digest}"} if digest else None
    art = TaskArtifact(getter_source=url, getter_options=options)
    config = ArtifactConfig()

    def work(task_dir: Path) -> None:
        (task_dir / "local").mkdir()
        asyncio.run(fetch_artifact(art, task_dir, {}, config))
    return work


def via_shell(url: str, checksum: bool) -> tuple[str, Callable[[Path], None]]:
    if shutil.which("curl"):
        get, label = f"curl -s -f -o app.tgz '{url}'", "curl -s + tar xzf"
    else:
        get = f"{sys.executable} -c \"import urllib.request as u; u.urlretrieve('{url}', " \
              "'app.tgz')\""
        label = "python urllib (curl missing) + tar xzf"
    check = " && sha256sum app.tgz >/dev/null" if checksum else ""
    script = f"{get}{check} && tar xzf app.tgz"

    def work(directory: Path) -> None:
        subprocess.run(script, shell=True, cwd=directory, check=True)
    return label + (" + sha256sum" if checksum else ""), work


def via_agent(runs: int, url: str, digest: str, root: Path) -> list[float]:
    """Allocation received -> running, from the client's own `Received`/`Started` events."""
    import httpx

    agent = AgentProcess(root=root, name="bench-agent").start()
    times = []
    try:
        with httpx.Client(base_url=agent.address, timeout=120) as http:
            for i in range(runs):
                job_id = f"artifact-{i}"
                task = {"Name": "t", "Driver": "exec", "KillTimeout": 200_000_000,
                        "Config": {"command": "/bin/sleep", "args": ["600"]},
                        "Resources": {"CPU": 50, "MemoryMB": 64},
                        "Artifacts": [{"GetterSource": url, "RelativeDest": "local/",
                                       "GetterOptions": {"checksum": f"sha256:{digest}"}}]}
                http.post("/v1/jobs", json={"Job": {"ID": job_id, "Datacenters": ["dc1"],
                          "TaskGroups": [{"Name": "g", "Tasks": [task]}]}}).raise_for_status()
                index = 0
                while True:
                    r = http.get(f"/v1/job/{job_id}/allocations",
                                 params={"index": index, "wait": "60s"})
                    running = [a for a in r.json() if a["ClientStatus"] == "running"]
                    if running:
                        break
                    index = int(r.headers["X-Nomad-Index"])
                seen = {e["Type"]: e["Time"] for e in running[0]["TaskStates"]["t"]["Events"]}
                times.append((seen["Started"] - seen["Received"]) / 1e9)
                http.delete(f"/v1/job/{job_id}", params={"purge": "true"})
    finally:
        agent.stop(timeout_s=60)
    return times


def report(label: str, times: list[float], size: int) -> float:
    median = statistics.median(times)
    print(f"  {label:<44} median {median * 1000:8.1f} ms   min {min(times) * 1000:8.1f} ms   "
          f"{size / MIB / median:7.1f} MiB/s")
    return median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=5, help="runs per variant")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-artifact-") as tmp:
        root = Path(tmp)
        (root / "www").mkdir()
        archive = root / "www" / "app.tgz"
        digest, unpacked, count = build_archive(archive)
        size = archive.stat().st_size
        port = free_port()
        server = start_server(root / "www", port)
        try:
            url = f"http://127.0.0.1:{port}/app.tgz"
            print(f"artifact: {size / MIB:.1f} MiB tar.gz (unpacks to {unpacked / MIB:.1f} MiB, "
                  f"{count} files), "
                  f"{args.n} runs each, server: python -m http.server (own process)")
            rows = [("caravan fetch_artifact + sha256 checksum", via_caravan(url, digest)),
                    ("caravan fetch_artifact, no checksum", via_caravan(url, None)),
                    via_shell(url, checksum=False), via_shell(url, checksum=True)]
            report("dev agent: alloc received -> exec task running", via_agent(
                args.n, url, digest.removeprefix("sha256:"), root), size)
            medians = [report(label, timed(args.n, work, root), size) for label, work in rows]
            emit("artifact fetch + sha256 + unpack vs curl + sha256sum + tar", medians[0] * 1000,
                 medians[3] * 1000, "ms", "")
        finally:
            stop_server(server)


if __name__ == "__main__":
    main()
