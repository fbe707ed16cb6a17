"""`alloc exec -u`: the allow list and the user as the task's own files define it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from caravan.client.drivers.exec_user import container_user, require_allowed
from caravan.errors import InvalidInput, PermissionDenied


def _root(tmp_path: Path, passwd: str, group: str | None = None) -> str:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "passwd").write_text(passwd)
    if group is not None:
        (tmp_path / "etc" / "group").write_text(group)
    return str(tmp_path)


def test_only_listed_users_are_allowed() -> None:
    require_allowed("app", ["app"], "exec")
    with pytest.raises(PermissionDenied, match='plugin "exec" config'):
        require_allowed("root", ["app"], "exec")
    with pytest.raises(PermissionDenied, match="allow_exec_users"):
        require_allowed("app", [], "raw_exec")


def test_user_groups_and_home_come_from_the_task_files(tmp_path: Path) -> None:
    root = _root(tmp_path, "# comment\napp:x:1500:1501:App:/srv/app:/bin/sh\n",
                 "app:x:1501:\nops:x:1600:app,bob\nother:x:1700:bob\n")
    user = container_user(root, "app", "web")
    assert (user.uid, user.gid, user.groups, user.home) == (1500, 1501, [1501, 1600], "/srv/app")


def test_no_group_file_means_the_primary_group_alone(tmp_path: Path) -> None:
    user = container_user(_root(tmp_path, "app:x:1500:1501::/:/bin/sh\n"), "app", "web")
    assert user.groups == [1501]


@pytest.mark.parametrize("passwd, message", [
    ("other:x:1:1::/:/bin/sh\n", 'unknown user "app" in task "web"'),
    ("app:x:abc:1::/:/bin/sh\n", "malformed entry"),
    ("app:x:0:5::/:/bin/sh\n", "maps to uid or gid 0"),
    ("app:x:5:0::/:/bin/sh\n", "maps to uid or gid 0"),
])
def test_bad_entries_are_refused(tmp_path: Path, passwd: str, message: str) -> None:
    with pytest.raises((InvalidInput, PermissionDenied), match=message):
        container_user(_root(tmp_path, passwd), "app", "web")


def test_root_may_be_root(tmp_path: Path) -> None:
    assert container_user(_root(tmp_path, "root:x:0:0::/root:/bin/sh\n"), "root", "w").uid == 0


def test_links_and_special_files_are_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("app:x:42:42::/:/bin/sh\n")
    task = tmp_path / "task"
    (task / "etc").mkdir(parents=True)
    (task / "etc" / "passwd").symlink_to(outside)
    with pytest.raises(InvalidInput, match="cannot read /etc/passwd"):
        container_user(str(task), "app", "web")
    (task / "etc" / "passwd").unlink()
    os.mkfifo(task / "etc" / "passwd")  # would block a reader forever
    with pytest.raises(InvalidInput, match="cannot read /etc/passwd"):
        container_user(str(task), "app", "web")
    (task / "etc" / "passwd").unlink()
    (task / "etc").rmdir()
    (task / "etc").symlink_to(tmp_path)  # the directory itself swapped for a link
    with pytest.raises(InvalidInput, match="cannot read /etc/passwd"):
        container_user(str(task), "app", "web")
