"""Class 1 of issue 9: the root agent must never follow a link a task planted.

A task owns its alloc dir and races the agent: it swaps directories for symlinks while
an artifact unpacks, redirects the artifact staging dir, plants log files that point at
host files, and replaces its own `local/` with a link before a restart. Each test plays
that task for real and then checks the host, not the agent's word.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.security.conftest import GatedServer, group_job, task

pytestmark = pytest.mark.integration

SECRET = "TOPSECRET-host-file-0123456789"


@pytest.fixture
def host_dir(tmp_path: Path) -> Path:
    """A root-only host directory no task may touch."""
    path = tmp_path / "host-only"
    path.mkdir(mode=0o700)
    os.chmod(path, 0o700)
    return path


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "shadow"
    path.write_text(SECRET + "\n")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def submit(dev_agent: AgentProcess) -> Iterator[Any]:
    """Register a job and return its allocation once `ready(alloc)`; purge it afterwards."""
    submitted: list[str] = []

    def run(job: dict[str, Any], ready: Any, timeout_s: float = 60) -> dict[str, Any]:
        job_id = job["Job"]["ID"]
        httpx.post(f"{dev_agent.address}/v1/jobs", json=job, timeout=10).raise_for_status()
        submitted.append(job_id)

        def reached() -> dict[str, Any] | None:
            for stub in httpx.get(f"{dev_agent.address}/v1/job/{job_id}/allocations",
                                  timeout=10).json():
                alloc: dict[str, Any] = httpx.get(
                    f"{dev_agent.address}/v1/allocation/{stub['ID']}", timeout=10).json()
                if ready(alloc):
                    return alloc
            return None

        return wait_until(reached, timeout_s, what=f"{job_id} ready")  # type: ignore[no-any-return]

    yield run
    for job_id in submitted:
        httpx.delete(f"{dev_agent.address}/v1/job/{job_id}", params={"purge": "true"},
                     timeout=10)

    def stopped() -> bool:
        allocs = httpx.get(f"{dev_agent.address}/v1/allocations", timeout=10).json()
        return all(a["ClientStatus"] in ("complete", "failed", "lost") for a in allocs
                   if a["JobID"] in submitted)

    wait_until(stopped, 30, what="the tasks of purged jobs stopped")


def _states(alloc: dict[str, Any]) -> dict[str, Any]:
    return alloc.get("TaskStates") or {}


def _running(*names: str) -> Any:
    return lambda a: all(_states(a).get(n, {}).get("State") == "running" for n in names)


def _log(agent: AgentProcess, alloc: dict[str, Any], name: str) -> str:
    r = httpx.get(f"{agent.address}/v1/client/fs/logs/{alloc['ID']}",
                  params={"task": name, "type": "stdout", "plain": "true"}, timeout=10)
    return r.text


def _tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size, info.mode = len(data), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


# The exec task (nobody, default capabilities, so CAP_DAC_OVERRIDE) swaps every
# directory it finds below /alloc/data for a symlink to a host dir, in a loop, for a
# while; it reports each swap in /alloc/data/swapped and ends with /alloc/data/gave-up.
SWAPPER = """
end=$(( $(date +%s) + 8 ))
while [ "$(date +%s)" -lt "$end" ]; do
  for d in $(find /alloc/data -mindepth 1 -type d ! -name '*.moved' 2>/dev/null); do
    mv "$d" "$d.moved" 2>/dev/null && ln -s "$TARGET" "$d" && echo "$d" >> /alloc/data/swapped
  done
done
touch /alloc/data/gave-up
sleep 300
"""


def _race_artifact(agent: AgentProcess, server: GatedServer, submit: Any, job_id: str,
                   destination: str, host_dir: Path) -> dict[str, Any]:
    archive = _tgz({f"app/sub{i}/file{i}": b"payload\n" * 64 for i in range(20)})
    server.body = archive
    data = lambda: agent.data_dir / "alloc"  # noqa: E731
    server.gate = lambda: any(data().glob("*/alloc/data/gave-up"))
    attacker = task("attacker", "exec", SWAPPER, Env={"TARGET": str(host_dir)})
    victim = task("victim", "raw_exec", "echo landed; sleep 300",
                  Artifacts=[{"GetterSource": server.url("app.tar.gz"),
                              "RelativeDest": destination}])
    return submit(group_job(job_id, [attacker, victim]),  # type: ignore[no-any-return]
                  lambda a: any(f.exists() for f in data().glob("*/alloc/data/gave-up"))
                  and _states(a).get("victim", {}).get("State") in ("running", "dead"))


def test_cve_2022_24686_artifact_staging_cannot_be_redirected_by_a_sibling(
        dev_agent: AgentProcess, gated_server: GatedServer, submit: Any,
        host_dir: Path) -> None:
    # The artifact lands in the shared alloc/data, which the sibling can write.
    alloc = _race_artifact(dev_agent, gated_server, submit, "race-staging", "../alloc/data",
                           host_dir)
    assert os.listdir(host_dir) == [], "root wrote into a host dir through a planted link"
    assert stat.S_IMODE(host_dir.stat().st_mode) == 0o700
    # Staged where the sibling cannot reach, the artifact arrived intact.
    landed = dev_agent.data_dir / "alloc" / alloc["ID"] / "alloc" / "data" / "app"
    assert (landed / "sub3" / "file3").read_bytes() == b"payload\n" * 64


def test_cve_2022_24686_dirs_swapped_for_symlinks_during_unpack(
        dev_agent: AgentProcess, gated_server: GatedServer, submit: Any,
        host_dir: Path) -> None:
    _race_artifact(dev_agent, gated_server, submit, "race-unpack", "../alloc/data/app",
                   host_dir)
    assert os.listdir(host_dir) == [], "root wrote into a host dir through a planted link"


# A raw_exec task running as nobody: its cwd is its task dir, so `../alloc/logs` is
# reachable even where the data dir's parents are not.
def test_cve_2022_24683_planted_log_symlink_is_not_served(
        dev_agent: AgentProcess, submit: Any, secret: Path) -> None:
    script = (f"ln -s {secret} ../alloc/logs/spy.stdout.1; echo planted; sleep 300")
    alloc = submit(group_job("log-plant", [task("spy", "raw_exec", script, user="nobody")]),
                   _running("spy"))
    planted = dev_agent.data_dir / "alloc" / alloc["ID"] / "alloc" / "logs" / "spy.stdout.1"
    wait_until(lambda: planted.is_symlink(), 20, what="symlink planted")
    wait_until(lambda: "planted" in _log(dev_agent, alloc, "spy"), 20, what="first log line")
    served = _log(dev_agent, alloc, "spy")
    assert SECRET not in served
    cli = subprocess.run([CARAVAN, "alloc", "logs", alloc["ID"], "spy"], env=dev_agent.env,
                         capture_output=True, text=True, timeout=60)
    assert "planted" in cli.stdout
    assert SECRET not in cli.stdout + cli.stderr


def test_cve_2026_6959_log_rotation_does_not_follow_a_planted_symlink(
        dev_agent: AgentProcess, submit: Any, host_dir: Path) -> None:
    target = host_dir / "created-by-root"
    # Plant the next rotation's file, then write past max_file_size (1 MB).
    script = (f"ln -s {target} ../alloc/logs/spam.stdout.1; "
              "head -c 1100000 /dev/zero | tr '\\0' x; echo; echo after-rotation; sleep 300")
    alloc = submit(group_job("log-rotate", [task(
        "spam", "raw_exec", script, user="nobody",
        LogConfig={"MaxFiles": 3, "MaxFileSizeMB": 1})]), _running("spam"))
    wait_until(lambda: "after-rotation" in _log(dev_agent, alloc, "spam"), 30,
               what="output after the rotation")
    assert not target.exists() and not target.is_symlink()
    assert os.listdir(host_dir) == []


def _mount_points() -> set[str]:
    with open("/proc/self/mountinfo", encoding="utf-8") as info:
        return {line.split()[4] for line in info}


# The sibling (raw_exec, nobody) waits for the exec task's secrets/ to stop being a
# mount point between two runs, and puts a symlink to a host dir in its place.
PLANT_SECRETS = """
end=$(( $(date +%s) + 10 ))
while [ "$(date +%s)" -lt "$end" ]; do
  if [ ! -L ../victim/secrets ] && mv ../victim/secrets ../victim/secrets.moved 2>/dev/null
  then
    ln -s "$TARGET" ../victim/secrets && echo planted
  fi
done
sleep 300
"""


def test_cve_2024_1329_secrets_mount_does_not_follow_a_planted_symlink(
        dev_agent: AgentProcess, submit: Any, host_dir: Path) -> None:
    # Mounting a tmpfs owned by the task user over a host dir (say /etc/cron.d) would
    # hand that dir to `nobody`.
    victim = task("victim", "exec", "sleep 1; exit 1")
    sibling = task("sibling", "raw_exec", PLANT_SECRETS, user="nobody",
                   Env={"TARGET": str(host_dir)})
    job = group_job("secrets-swap", [victim, sibling], restart_attempts=3)
    mounted_over: list[bool] = []

    def victim_dead(alloc: dict[str, Any]) -> bool:
        mounted_over.append(str(host_dir) in _mount_points())  # while the task runs
        return _states(alloc).get("victim", {}).get("State") == "dead"

    try:
        alloc = submit(job, victim_dead, 60)
        assert "planted" in _log(dev_agent, alloc, "sibling")  # the attack did happen
        assert not any(mounted_over), "a tmpfs was mounted over a host dir"
        messages = [e["DisplayMessage"] for e in _states(alloc)["victim"]["Events"]]
        assert any("symlink" in m for m in messages), messages
    finally:
        while str(host_dir) in _mount_points():
            subprocess.run(["umount", "-l", str(host_dir)], check=False)
