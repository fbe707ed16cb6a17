"""Class 5 of issue 9: host credential files are masked inside every exec task.

`/etc` is a read-only bind of the host's and a `nobody` task holds DAC_OVERRIDE by
default, so without masks it reads the host's password hashes (the capability half of
CVE-2019-12618, Nomad PR 5728). caravan binds `/dev/null` (files) or an empty read-only
tmpfs (dirs) over the `masked_paths` of the exec plugin config.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import CARAVAN, AgentProcess
from tests.integration.exec_driver.helpers import exec_job, output, run

pytestmark = pytest.mark.integration

CREDENTIAL_FILES = ["/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-"]


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    a = AgentProcess(root=tmp_path_factory.mktemp("masks"), name="masks")
    try:
        yield a.start()
    finally:
        a.stop()


def _host_lines(paths: list[str]) -> set[str]:
    return {line for p in paths if Path(p).exists()
            for line in Path(p).read_text().splitlines() if line}


def test_cve_2019_12618_nobody_task_with_dac_override_cannot_read_host_shadow(
        agent: AgentProcess) -> None:
    assert _host_lines(CREDENTIAL_FILES), "this host has no shadow files to protect"
    script = ("id -un; "
              f"for f in {' '.join(CREDENTIAL_FILES)}; do cat $f; done; echo END")
    out = output(agent, script)
    lines = out.splitlines()
    assert lines[0] == "nobody" and lines[-1] == "END"
    assert not set(lines) & _host_lines(CREDENTIAL_FILES)
    assert lines == ["nobody", "END"]


def test_cve_2019_12618_exec_session_cannot_read_host_shadow(agent: AgentProcess) -> None:
    alloc = run(agent, exec_job("mask-session", "exec sleep 3600", job_type="service"),
                until="running")
    done = subprocess.run([CARAVAN, "alloc", "exec", "-i=false", alloc["ID"], "cat",
                           *CREDENTIAL_FILES], capture_output=True, env=agent.env,
                          timeout=60, check=False)
    assert (done.returncode, done.stdout) == (0, b""), done.stderr


def test_masked_paths_is_configurable_and_expands_globs(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    config = 'plugin "exec" { config { masked_paths = ["/etc/shadow", "/etc/host*"] } }'
    a = AgentProcess(root=tmp_path_factory.mktemp("masks-conf"), name="masks-conf",
                     config=config)
    try:
        a.start()
        out = output(a, "cat /etc/hostname /etc/hosts /etc/shadow; echo END; "
                        "grep -c '^root:' /etc/passwd")
    finally:
        a.stop()
    assert Path("/etc/hostname").read_text().strip()  # something that could leak
    assert out.splitlines() == ["END", "1"]
