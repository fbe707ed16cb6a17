"""`alloc exec -u <user>` against a task that writes its own `/etc/passwd` (issue 13 part 6).

The agent is root and resolves the name in the task's view; the task owns that view when
its client's `chroot_env` leaves `/etc` out (the task dir is the container's root, so a
task running as root creates `/etc/passwd` itself). Two attacks on an allowed name:

- map it to uid 0, so `-u harmless` becomes a root shell in the task;
- make `/etc/passwd` a symlink to a host path: an agent that follows it reads the host's
  file (a path the task chose) and runs the session as whatever uid that file names.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.agents import CARAVAN, AgentProcess
from tests.integration.exec_driver.helpers import exec_job, run

pytestmark = pytest.mark.integration

CONFIG = '''
client {
  chroot_env {
    "/bin"   = "/bin"
    "/lib"   = "/lib"
    "/lib64" = "/lib64"
    "/sbin"  = "/sbin"
    "/usr"   = "/usr"
  }
}
plugin "exec" {
  config {
    allow_exec_users = ["evil", "linked", "plain"]
  }
}
'''


@pytest.fixture(scope="module")
def agent(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AgentProcess]:
    a = AgentProcess(root=tmp_path_factory.mktemp("exec-user"), name="exec-user", config=CONFIG)
    try:
        yield a.start()
    finally:
        a.stop()


def _exec(agent: AgentProcess, alloc: str, user: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CARAVAN, "alloc", "exec", "-i=false", "-u", user, alloc, "id", "-u"],
                          capture_output=True, text=True, env=agent.env, timeout=60,
                          check=False, stdin=subprocess.DEVNULL)


def _planting(agent: AgentProcess, job_id: str, plant: str) -> str:
    script = f"mkdir -p /etc && {plant} && exec sleep 3600"
    job = exec_job(job_id, script, job_type="service")
    return str(run(agent, job, until="running")["ID"])


def test_an_allowed_name_the_task_maps_to_uid_0_is_refused(agent: AgentProcess) -> None:
    alloc = _planting(agent, "evil", "printf 'evil:x:0:0::/:/bin/sh\\nplain:x:4243:4243::/:"
                                     "/bin/sh\\n' > /etc/passwd")
    evil = _exec(agent, alloc, "evil")
    assert evil.returncode == 1 and evil.stdout == "", evil
    assert 'user "evil" maps to uid or gid 0; only "root" may exec as root' in evil.stderr
    plain = _exec(agent, alloc, "plain")  # the same file's ordinary entry works
    assert (plain.returncode, plain.stdout) == (0, "4243\n"), plain.stderr


def test_a_passwd_symlinked_to_a_host_file_is_not_followed(agent: AgentProcess,
                                                           tmp_path: Path) -> None:
    host_file = tmp_path / "passwd"
    host_file.write_text("linked:x:4242:4242::/:/bin/sh\n")
    alloc = _planting(agent, "linked", f"ln -s {host_file} /etc/passwd")
    done = _exec(agent, alloc, "linked")
    assert done.returncode == 1 and "4242" not in done.stdout, done
    assert 'cannot read /etc/passwd in task "main"' in done.stderr, done.stderr
