"""What the CLI's one error boundary prints, and with which exit code, when a call fails
(no agent answers) or the command line is wrong: every message names what the command
was doing, in Nomad's words, for the list/info/delete commands and the others."""

from __future__ import annotations

import pytest

from tests.e2e.cli import caravan
from tests.e2e.test_cli_offline import offline_env

ACCESSOR = "6b0c2b26-93c5-4a5a-8f5a-6d2b7a0c1e3f"

FAILURES = [
    (["acl", "policy", "list"], "Error listing ACL policies: "),
    (["acl", "token", "list"], "Error listing ACL tokens: "),
    (["namespace", "list"], "Error retrieving namespaces: "),
    (["acl", "policy", "info", "ops"], "Error fetching info on ACL policy: "),
    (["acl", "token", "info", ACCESSOR], "Error fetching token: "),
    (["acl", "token", "self", "-token", "secret"], "Error fetching self token: "),
    (["namespace", "status", "team"], "Error retrieving namespaces: "),
    (["acl", "policy", "delete", "ops"], "Error deleting ACL policy: "),
    (["acl", "token", "delete", ACCESSOR], "Error deleting token: "),
    (["namespace", "delete", "team"], "Error deleting namespace: "),
    (["eval", "status", "abcd"], "Error querying evaluation: "),
    (["node", "status"], "Error querying node status: "),
    (["alloc", "status", "-json"], "Error querying allocations: "),
    (["alloc", "restart", "abcd"], "Error querying allocation: "),
    (["job", "inspect", "-json"], "Error querying jobs: "),
    (["job", "stop", "-yes", "web"], 'Error querying job prefix "web": '),
    (["status", "abcd"], "Error querying search with id: "),
]


@pytest.mark.parametrize("args, prefix", FAILURES, ids=[" ".join(a) for a, _ in FAILURES])
def test_a_failed_call_names_what_the_command_was_doing(args: list[str], prefix: str) -> None:
    env = offline_env()
    result = caravan(None, *args, env=env)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        f"{prefix}connection refused: is an agent running at {env['CARAVAN_ADDR']}?\n")


USAGE = [
    ("acl policy delete", [], "This command takes one argument: <name>"),
    ("acl token delete", ["a", "b"], "This command takes one argument: <token_accessor_id>"),
    ("namespace delete", [], "This command takes one argument: <namespace>"),
    ("acl token list", ["extra"], "This command takes no arguments"),
    ("acl token self", ["extra"], "This command takes no arguments"),
    ("acl policy info", [], "This command takes one argument: <name>"),
    ("namespace status", ["-bogus", "x"], "flag provided but not defined: -bogus"),
]


@pytest.mark.parametrize("name, args, message", USAGE, ids=[n for n, _, _ in USAGE])
def test_usage_errors_add_the_help_hint(name: str, args: list[str], message: str) -> None:
    result = caravan(None, *name.split(), *args, env=offline_env())
    assert result.returncode == 1
    assert result.stderr.splitlines() == [message,
                                          f"For additional help try 'caravan {name} -help'"]


def test_finished_messages_are_printed_as_they_are() -> None:
    env = {**offline_env(), "CARAVAN_TOKEN": ""}
    result = caravan(None, "acl", "token", "self", env=env)
    assert (result.returncode, result.stderr) == (
        1, "No token present in the environment or set via the CLI flag\n")
    result = caravan(None, "acl", "policy", "list", "-t", "{{.}}", env=env)
    assert (result.returncode, result.stderr) == (
        1, "Template formatting (-t) is not supported by caravan; use -json\n")


def test_help_of_a_skeleton_command_goes_to_stdout() -> None:
    result = caravan(None, "acl", "token", "delete", "-help", env=offline_env())
    assert result.returncode == 0
    assert result.stdout.startswith("Usage: caravan acl token delete <token_accessor_id>")
