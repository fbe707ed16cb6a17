"""Class 2 of issue 9, inside the container: every writable mount of an exec task is
`nosuid,nodev` (the host side of alloc dirs is handled apart).

CVE-2019-14803: setuid files an exec task could obtain gave root. no_new_privs already
stops a setuid file from elevating inside a task; the mount flags make such a file, and
any device node a task makes with its default CAP_MKNOD, inert on every path.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.agents import CARAVAN, AgentProcess, wait_until
from tests.integration.exec_driver.helpers import exec_job, logs, output, run

pytestmark = pytest.mark.integration

# Device nodes must work in these two, and the task cannot write to either.
_DEVICE_MOUNTS = {"/dev", "/dev/pts"}


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    a = AgentProcess(root=tmp_path_factory.mktemp("suid"), name="suid",
                     config='client { options = { "user.denylist" = "Administrator" } }')
    try:
        yield a.start()
    finally:
        a.stop()


def _task(name: str, user: str, script: str) -> dict[str, Any]:
    return {"Name": name, "Driver": "exec", "User": user, "KillTimeout": 1_000_000_000,
            "Config": {"command": "/bin/sh", "args": ["-c", script]},
            "Resources": {"CPU": 100, "MemoryMB": 64}}


def test_cve_2019_14803_writable_mounts_are_nosuid_nodev(agent: AgentProcess) -> None:
    mountinfo = output(agent, "cat /proc/self/mountinfo")
    writable = {}
    for line in mountinfo.splitlines():
        fields = line.split()
        options = set(fields[5].split(","))
        # runc masks a file by binding /dev/null over it: one device, nothing to create.
        if "rw" in options and fields[3] != "/null":
            writable[fields[4]] = options
    assert {"/", "/alloc", "/secrets", "/dev/shm"} <= writable.keys(), writable
    for point, options in writable.items():
        assert "nosuid" in options, f"{point} is writable and not nosuid: {options}"
        if point not in _DEVICE_MOUNTS:
            assert "nodev" in options, f"{point} is writable and not nodev: {options}"


def test_cve_2019_14803_device_node_made_by_task_does_not_open(agent: AgentProcess) -> None:
    # A nobody task holds CAP_MKNOD by default; c 1:5 (zero) is in the device cgroup's
    # allowed set, so only the mount flag stands between the node and the device.
    out = output(agent, "for d in /local /tmp /alloc/data /; do mknod $d/zero c 1 5 2>&1 "
                        "|| echo mknod-failed; head -c 2 $d/zero >/dev/null 2>&1 "
                        "&& echo $d opened || echo $d refused; done")
    assert [li for li in out.splitlines() if li.startswith("/")] == [
        "/local refused", "/tmp refused", "/alloc/data refused", "/ refused"], out


def test_cve_2019_14803_setuid_copy_does_not_elevate_in_task_or_exec_session(
        agent: AgentProcess) -> None:
    maker = _task("maker", "root", "cp /usr/bin/id /alloc/data/suid-id && "
                                   "chmod 4755 /alloc/data/suid-id && exec sleep 3600")
    victim = _task("main", "nobody", "while [ ! -u /alloc/data/suid-id ]; do sleep 0.1; done; "
                                     "/alloc/data/suid-id -u; echo DONE; exec sleep 3600")
    alloc = run(agent, exec_job("suid", "", job_type="service", tasks=[maker, victim]),
                until="running")
    text = wait_until(lambda: (out := logs(agent, alloc)) and "DONE" in out and out,
                      what="the nobody task ran the setuid copy")
    assert str(text).splitlines()[0] == "65534"
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", "-task", "main", alloc["ID"],
                           "/alloc/data/suid-id", "-u"], capture_output=True, env=agent.env,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, b"65534\n"), done.stderr
