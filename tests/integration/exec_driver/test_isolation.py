"""The exec driver's isolation, observed from inside real runc containers (issue 3)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from caravan.client.drivers.exec.capabilities import DEFAULTS, bitmask
from caravan.config.agent import DEFAULT_CHROOT_ENV
from tests.agents import AgentProcess
from tests.integration.exec_driver.helpers import events, exec_job, logs, output, run

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def host_share(tmp_path_factory: pytest.TempPathFactory) -> Path:
    share = tmp_path_factory.mktemp("share")
    (share / "hello.txt").write_text("from the host\n")
    tool = share / "voltool"
    tool.write_text("#!/bin/sh\necho volume-tool\n")
    tool.chmod(0o755)
    return share


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory, host_share: Path) -> Iterator[AgentProcess]:
    config = f'''client {{
  meta {{ rack = "r42" }}
  host_volume "share" {{
    path      = "{host_share}"
    read_only = false
  }}
}}'''
    a = AgentProcess(root=tmp_path_factory.mktemp("exec"), name="exec", config=config)
    try:
        yield a.start()
    finally:
        a.stop()


def test_task_sees_only_its_chroot(agent: AgentProcess) -> None:
    listing = set(output(agent, "ls /").split())
    from_host = {p.strip("/").split("/")[0] for h, p in DEFAULT_CHROOT_ENV.items()
                 if os.path.exists(h)}
    assert listing == from_host | {"alloc", "dev", "local", "private", "proc", "secrets", "sys",
                                   "tmp"}
    assert "root" not in listing and "home" not in listing


def test_host_dirs_are_read_only_inside(agent: AgentProcess) -> None:
    out = output(agent, "for d in /usr /etc /bin; do touch $d/caravan-probe 2>/dev/null "
                        "&& echo wrote $d || echo denied $d; done; echo x > /local/ok && echo local-ok")
    assert out.split("\n")[:4] == ["denied /usr", "denied /etc", "denied /bin", "local-ok"]
    assert not any(Path(d, "caravan-probe").exists() for d in ("/usr", "/etc", "/bin"))


def test_private_pid_namespace_sees_only_the_task(agent: AgentProcess) -> None:
    out = output(agent, "echo $$; ls /proc | grep -c '^[0-9]'")
    pid, count = out.split()
    assert pid == "1" and int(count) <= 3  # the shell, ls, grep


def test_host_pid_mode_sees_the_host(agent: AgentProcess) -> None:
    assert agent.proc is not None
    out = output(agent, f"test -d /proc/{agent.proc.pid} && echo sees-agent; echo $$",
                 pid_mode="host")
    seen, pid = out.split()
    assert seen == "sees-agent" and pid != "1"


def test_ipc_namespace_follows_ipc_mode(agent: AgentProcess) -> None:
    host_ns = os.readlink("/proc/self/ns/ipc")
    assert output(agent, "readlink /proc/self/ns/ipc").strip() != host_ns
    assert output(agent, "readlink /proc/self/ns/ipc", ipc_mode="host").strip() == host_ns


def _caps(text: str) -> dict[str, int]:
    return {k: int(v, 16) for k, v in (line.split(":\t") for line in text.splitlines()
                                       if line.startswith("Cap"))}


def test_capabilities_are_exactly_the_computed_set(agent: AgentProcess) -> None:
    caps = _caps(output(agent, "grep ^Cap /proc/self/status"))
    expected = bitmask(DEFAULTS)
    assert caps == {"CapInh": expected, "CapPrm": expected, "CapEff": expected,
                    "CapBnd": expected, "CapAmb": expected}
    assert not caps["CapEff"] & (1 << 13)  # NET_RAW (CVE-2021-32575)
    only_chown = _caps(output(agent, "grep ^Cap /proc/self/status", cap_drop=["all"],
                              cap_add=["CAP_CHOWN"]))
    assert only_chown["CapEff"] == only_chown["CapBnd"] == 1


def test_cap_add_beyond_allow_caps_fails_the_task(agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("too-many-caps", "true", cap_add=["sys_admin", "net_raw"]))
    failure = [e for e in events(alloc) if e["Type"] == "Driver Failure"]
    assert failure and failure[0]["DisplayMessage"] == \
        "driver does not allow the following capabilities: net_raw, sys_admin"
    assert alloc["ClientStatus"] == "failed"


def test_memory_limit_oom_kills_and_reports(agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("hog", "/usr/bin/python3 -c 'x = bytearray(300 * 2**20)'",
                                memory=32))
    term = [e for e in events(alloc) if e["Type"] == "Terminated"][-1]
    assert term["Details"]["oom_killed"] == "true" and term["ExitCode"] == 137
    assert "OOM Killed" in term["DisplayMessage"]


def test_work_dir_user_and_env(agent: AgentProcess) -> None:
    out = output(agent, 'pwd; id -un; echo "$HOME $NOMAD_TASK_DIR $NOMAD_ALLOC_DIR"',
                 work_dir="/local")
    assert out.split("\n")[:3] == ["/local", "nobody", "/nonexistent /local /alloc"]


def test_command_resolution_and_interpolation(agent: AgentProcess, host_share: Path) -> None:
    job = exec_job("resolve", "", volumes={"share": {"Type": "host", "Source": "share"}})
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    task["Config"] = {"command": "echo", "args": ["${NOMAD_JOB_ID}", "${node.datacenter}",
                                                 "${attr.kernel.name}", "${meta.rack}",
                                                 "${NOMAD_ALLOC_INDEX}"]}
    assert logs(agent, run(agent, job)) == "resolve dc1 linux r42 0\n"
    job = exec_job("from-volume", "", volumes={"share": {"Type": "host", "Source": "share"}})
    task = job["Job"]["TaskGroups"][0]["Tasks"][0]
    task["VolumeMounts"] = [{"Volume": "share", "Destination": "/data", "ReadOnly": True}]
    task["Config"] = {"command": "/data/voltool"}
    assert logs(agent, run(agent, job)) == "volume-tool\n"


def test_read_only_volume_mount(agent: AgentProcess, host_share: Path) -> None:
    job = exec_job("vol", "cat /data/hello.txt; touch /data/new 2>/dev/null || echo ro",
                   volumes={"share": {"Type": "host", "Source": "share"}})
    job["Job"]["TaskGroups"][0]["Tasks"][0]["VolumeMounts"] = [
        {"Volume": "share", "Destination": "/data", "ReadOnly": True}]
    assert logs(agent, run(agent, job)) == "from the host\nro\n"
    assert not (host_share / "new").exists()


def test_a_task_cannot_read_another_tasks_secrets(agent: AgentProcess) -> None:
    writer = {"Name": "writer", "Driver": "exec",
              "Config": {"command": "/bin/sh", "args": ["-c", "echo s3cret > /secrets/token; "
                                                        "ls -ld /secrets; sleep 60"]},
              "Resources": {"CPU": 50, "MemoryMB": 32}}
    # The reader leads: when it is done, the writer is stopped.
    reader = {"Name": "reader", "Driver": "exec", "Leader": True,
              "Config": {"command": "/bin/sh", "args": ["-c", "sleep 1; "
                         "cat /alloc/../writer/secrets/token /writer/secrets/token 2>/dev/null; "
                         "grep -rs s3cret /alloc /local /secrets /tmp /private /dev "
                         "|| echo not-found"]},
              "Resources": {"CPU": 50, "MemoryMB": 32}}
    alloc = run(agent, exec_job("secrets", "", tasks=[writer, reader]))
    assert logs(agent, alloc, "reader").strip() == "not-found"
    assert logs(agent, alloc, "writer").startswith("drwx------")


def test_reserved_cores_become_the_cpuset(agent: AgentProcess) -> None:
    job = exec_job("pinned", 'grep Cpus_allowed_list /proc/self/status; echo "$NOMAD_CPU_CORES"')
    job["Job"]["TaskGroups"][0]["Tasks"][0]["Resources"] = {"Cores": 1, "MemoryMB": 32}
    alloc = run(agent, job)
    reserved = alloc["AllocatedResources"]["Tasks"]["main"]["Cpu"]["ReservedCores"]
    assert len(reserved) == 1
    out = logs(agent, alloc).split("\n")
    assert out[0].split()[-1] == str(reserved[0]) and out[1] == str(reserved[0])
