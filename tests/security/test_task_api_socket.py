"""The Task API socket at `secrets/api.sock` is (re)bound by the root agent inside a
directory the running task can write. On an agent restart the task may race the re-bind
and swap the socket's name for a symlink to any host file; the agent must then set the
owner and mode of the socket it bound, never of whatever the name points at."""

import os
import stat
from pathlib import Path

import pytest

from caravan.client import taskapi
from caravan.client.taskapi import SOCKET_NAME, bind_socket


def test_a_symlink_swapped_in_after_the_check_is_never_chmodded(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    task_dir = tmp_path / "task"
    (task_dir / "secrets").mkdir(parents=True)
    victim = tmp_path / "host-file"
    victim.write_text("not the agent's to change")
    victim.chmod(0o644)
    name = task_dir / "secrets" / SOCKET_NAME
    real_is_sock = stat.S_ISSOCK
    swapped: list[bool] = []

    def task_wins_the_race(mode: int) -> bool:
        # The task acts right after the agent has looked at the node: the name now
        # points at a host file.
        answer = real_is_sock(mode)
        if not swapped:
            name.unlink()
            name.symlink_to(victim)
            swapped.append(True)
        return answer

    monkeypatch.setattr(taskapi.stat, "S_ISSOCK", task_wins_the_race)
    try:
        sock = bind_socket(task_dir, owner=(4242, 4242))
    except OSError:
        sock = None  # refusing is fine too; changing the host file is not
    try:
        assert swapped, "the race was never reached"
        info = victim.stat()
        assert stat.S_IMODE(info.st_mode) == 0o644
        assert (info.st_uid, info.st_gid) == (os.getuid(), os.getgid())
    finally:
        if sock is not None:
            sock.close()
