"""A task owns its task dir: what it left there must not turn the agent (root) against the
host when a debug copy is prepared. The one thing the agent does there is make `secrets`
0700 (runc gives the copy's own /secrets tmpfs the mode of the dir it lands on)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tests.integration.alloc_debug.conftest import Allocs, crashed_job, debug, wait_failed
from tests.integration.exec_driver.helpers import run

pytestmark = pytest.mark.integration


def test_a_secrets_link_left_in_the_task_dir_is_refused_not_followed(
        allocs: Allocs, tmp_path: Path) -> None:
    alloc = run(allocs.agent, crashed_job("linked"))
    wait_failed(allocs.agent, alloc)
    target = tmp_path / "host-dir"
    target.mkdir(mode=0o755)
    os.chmod(target, 0o755)
    secrets = allocs.agent.data_dir / "alloc" / alloc["ID"] / "main" / "secrets"
    secrets.rmdir()  # the task's tmpfs is gone with it; what a racing task would swap in:
    secrets.symlink_to(target)
    state, _, reason = debug(allocs.agent, alloc["ID"], ["/bin/true"])
    assert state == "denied" and "failed to prepare the secrets dir" in reason
    assert stat.S_IMODE(target.stat().st_mode) == 0o755  # the link was not followed
    assert secrets.is_symlink()
