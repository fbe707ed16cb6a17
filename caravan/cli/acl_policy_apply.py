"""`caravan acl policy apply [-description D] <name> <path>`: create or update a policy."""

from __future__ import annotations

import sys
from pathlib import Path

from caravan.api.acl import ACLPolicies
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client, reported_as
from caravan.errors import CommandFailed, UsageError
from caravan.structs.acl import ACLPolicy, JobACL

HELP = """
Usage: caravan acl policy apply [options] <name> <path>

  Apply is used to create or update an ACL policy. The policy is sourced from
  <path> or from stdin if path is "-". Requires a management token.
""" + CLIENT_OPTIONS_HELP + """
Apply Options:

  -description
    Specifies a human readable description for the policy.

  -job
    Attaches the policy to the specified job. Requires that -namespace is
    also set.

  -group
    Attaches the policy to the specified task group. Requires that -namespace
    and -job are also set.

  -task
    Attaches the policy to the specified task. Requires that -namespace, -job
    and -group are also set.
"""


def _read(path: str) -> str:
    try:
        return sys.stdin.read() if path == "-" else Path(path).read_text()
    except OSError as exc:
        where = "stdin" if path == "-" else "file"
        raise CommandFailed(f"Failed to read {where}: {exc}") from exc


def _job_acl(namespace: str, job: str, group: str, task: str) -> JobACL | None:
    if job and not namespace:
        raise CommandFailed("-namespace is required if -job is set")
    if group and not job:
        raise CommandFailed("-job is required if -group is set")
    if task and not group:
        raise CommandFailed("-group is required if -task is set")
    return JobACL(namespace=namespace, job_id=job, group=group, task=task) if namespace \
        else None


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    fs = client_flag_set()
    for name in ("description", "job", "group", "task"):
        fs.string_flag(name)
    flags = fs.parse(args)
    if len(flags.args) != 2:
        raise UsageError("This command takes two arguments: <name> and <path>")
    name, path = flags.args
    policy = ACLPolicy(name=name, description=flags.get_str("description"), rules=_read(path),
                       job_acl=_job_acl(flags.get_str("namespace"), flags.get_str("job"),
                                        flags.get_str("group"), flags.get_str("task")))
    client = make_client(flags)
    client.set_namespace(None)  # -namespace names the JobACL's namespace, not a query's
    with reported_as("Error writing ACL policy: "):
        ACLPolicies(client).upsert(policy)
    ui.output(f'Successfully wrote "{name}" ACL policy!')
    return 0
