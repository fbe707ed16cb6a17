"""`caravan alloc exec -u <user>` and the `user` query parameter (issue 13 part 6)."""

from __future__ import annotations

import pwd

import pytest

from tests.integration.exec_more.conftest import Fleet, cli
from tests.integration.exec_more.wsexec import ws_exec

pytestmark = pytest.mark.integration

DAEMON = pwd.getpwnam("daemon").pw_uid
NOBODY = pwd.getpwnam("nobody").pw_uid


def test_an_allowed_user_runs_the_command_as_that_uid(fleet: Fleet) -> None:
    for alloc in (fleet.iso["ID"], fleet.raw["ID"]):
        done = cli(fleet.agent, "alloc", "exec", "-i=false", "-u", "daemon", alloc, "id", "-u")
        assert (done.returncode, done.stdout) == (0, f"{DAEMON}\n"), (alloc, done.stderr)
        groups = cli(fleet.agent, "alloc", "exec", "-i=false", "-u", "daemon", alloc, "id", "-g")
        assert groups.stdout == f"{pwd.getpwnam('daemon').pw_gid}\n", groups.stderr
    # Without -u the task's own user, as before (iso runs as nobody).
    own = cli(fleet.agent, "alloc", "exec", "-i=false", fleet.iso["ID"], "id", "-u")
    assert own.stdout == f"{NOBODY}\n", own.stderr


def test_a_user_the_client_does_not_allow_is_refused(fleet: Fleet) -> None:
    # raw_exec allows only daemon; exec allows daemon and ghost, never root.
    for alloc, user, driver in ((fleet.raw["ID"], "nobody", "raw_exec"),
                                (fleet.raw["ID"], "root", "raw_exec"),
                                (fleet.iso["ID"], "root", "exec")):
        done = cli(fleet.agent, "alloc", "exec", "-i=false", "-u", user, alloc, "id", "-u")
        assert done.returncode == 1 and done.stdout == "", (user, done)
        assert f'exec as user "{user}" is not allowed on this node: add it to ' \
            f'allow_exec_users in the client\'s plugin "{driver}" config' in done.stderr


def test_an_allowed_user_missing_from_the_task_is_refused(fleet: Fleet) -> None:
    done = cli(fleet.agent, "alloc", "exec", "-i=false", "-u", "ghost", fleet.iso["ID"], "id")
    assert done.returncode == 1 and done.stdout == ""
    assert 'unknown user "ghost" in task "main" (its /etc/passwd)' in done.stderr, done.stderr


def test_the_user_query_parameter_on_the_websocket(fleet: Fleet) -> None:
    ok = ws_exec(fleet.agent.address, f"/v1/client/allocation/{fleet.iso['ID']}/exec",
                 {"task": "main", "command": '["id", "-u"]', "user": "daemon"})
    assert ok == ("ok", 0, f"{DAEMON}\n")
    refused = ws_exec(fleet.agent.address, f"/v1/client/allocation/{fleet.iso['ID']}/exec",
                      {"task": "main", "command": '["id", "-u"]', "user": "root"})
    assert refused[0] == "closed" and "allow_exec_users" in refused[2], refused
