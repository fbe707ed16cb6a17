"""`caravan var put|get|list|purge` through the real CLI against a real -dev agent:
Nomad's flags, outputs, check-and-set behaviour and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.agents import AgentProcess
from tests.e2e.cli import caravan

pytestmark = pytest.mark.integration


def test_put_get_list_purge(dev_agent: AgentProcess, tmp_path: Path) -> None:
    secret = tmp_path / "cert.pem"
    secret.write_text("-----BEGIN-----\nabc\n")
    put = caravan(dev_agent, "var", "put", "-out", "none", "cli/app", "user=admin",
                  f"cert=@{secret}")
    assert put.returncode == 0, put.stderr
    assert put.stdout.startswith('Created variable "cli/app" with modify index ')

    got = caravan(dev_agent, "var", "get", "cli/app")  # redirected: JSON
    assert got.returncode == 0, got.stderr
    body = json.loads(got.stdout)
    assert body["Path"] == "cli/app" and body["Namespace"] == "default"
    assert body["Items"] == {"user": "admin", "cert": "-----BEGIN-----\nabc\n"}

    item = caravan(dev_agent, "var", "get", "-item", "user", "cli/app")
    assert item.returncode == 0 and item.stdout == "admin"  # no trailing newline
    missing_item = caravan(dev_agent, "var", "get", "-item", "nope", "cli/app")
    assert missing_item.returncode == 1 and 'does not contain "nope"' in missing_item.stderr

    table = caravan(dev_agent, "var", "get", "-out", "table", "cli/app")
    assert "Path        = cli/app" in table.stdout and "\nItems\n" in table.stdout
    assert "user = admin" in table.stdout
    hcl = caravan(dev_agent, "var", "get", "-out", "hcl", "cli/app")
    assert 'path         = "cli/app"' in hcl.stdout and 'user = "admin"' in hcl.stdout
    tpl = caravan(dev_agent, "var", "get", "-out", "go-template", "-template",
                  "{{ .Path }}:{{ .Items.user }}", "cli/app")
    assert tpl.stdout.strip() == "cli/app:admin"

    listed = caravan(dev_agent, "var", "list", "-out", "table", "cli/")
    assert listed.stdout.splitlines()[0].split() == ["Namespace", "Path", "Last", "Updated"]
    assert "cli/app" in listed.stdout
    terse = caravan(dev_agent, "var", "list", "-out", "terse", "cli/")
    assert terse.stdout.split() == ["cli/app"]
    assert json.loads(caravan(dev_agent, "var", "list", "cli/").stdout)[0]["Path"] == "cli/app"
    none = caravan(dev_agent, "var", "list", "-out", "table", "nothing-here/")
    assert none.stdout.strip() == "No matching variables found"

    purged = caravan(dev_agent, "var", "purge", "cli/app")
    assert purged.returncode == 0 and 'Successfully purged variable "cli/app"!' in purged.stdout
    gone = caravan(dev_agent, "var", "get", "cli/app")
    assert gone.returncode == 1 and "Variable not found" in gone.stderr


def test_put_is_check_and_set_unless_forced(dev_agent: AgentProcess, tmp_path: Path) -> None:
    first = caravan(dev_agent, "var", "put", "cas/app", "a=1")
    index = json.loads(first.stdout)["ModifyIndex"]
    again = caravan(dev_agent, "var", "put", "cas/app", "a=2")
    assert again.returncode == 1
    assert "Check-and-Set conflict" in again.stderr
    assert f"-check-index={index}" in again.stderr
    assert json.loads(caravan(dev_agent, "var", "get", "cas/app").stdout)["Items"] == {"a": "1"}

    checked = caravan(dev_agent, "var", "put", "-check-index", str(index), "cas/app", "a=3")
    assert checked.returncode == 0 and json.loads(checked.stdout)["Items"] == {"a": "3"}
    forced = caravan(dev_agent, "var", "put", "-force", "cas/app", "b=4")
    assert forced.returncode == 0 and json.loads(forced.stdout)["Items"] == {"b": "4"}

    stale = caravan(dev_agent, "var", "purge", "-check-index", str(index), "cas/app")
    assert stale.returncode == 1 and "Check-and-Set conflict" in stale.stderr


def test_specifications_from_files_and_stdin(dev_agent: AgentProcess, tmp_path: Path) -> None:
    spec = tmp_path / "spec.hcl"
    spec.write_text('path = "spec/hcl"\nitems = {\n  port = "8080"\n  drop = "x"\n}\n')
    from_file = caravan(dev_agent, "var", "put", f"@{spec}", "drop=", "host=db")
    assert from_file.returncode == 0, from_file.stderr
    assert json.loads(from_file.stdout)["Items"] == {"port": "8080", "host": "db"}

    piped = caravan(dev_agent, "var", "put", "spec/json", "-",
                    stdin=json.dumps({"Items": {"k": "from-stdin"}}))
    assert piped.returncode == 0, piped.stderr
    assert json.loads(piped.stdout)["Items"] == {"k": "from-stdin"}


def test_bad_invocations_exit_1_with_nomads_messages(dev_agent: AgentProcess) -> None:
    cases = [(("var", "put", "only-a-path"), "Must supply data"),
             (("var", "put", "-out", "xml", "p", "a=b"), 'Invalid value for "-out"'),
             (("var", "put", "-in", "yaml", "p", "-"), 'Invalid value for "-in"'),
             (("var", "get", "-out", "go-template", "p"), "A template must be supplied"),
             (("var", "get", "a", "b"), "This command takes one argument: <path>"),
             (("var", "put", "bad.path", "a=b"), 'invalid path "bad.path"'),
             (("var", "put", "-namespace", "*", "p", "a=b"), "wildcard namespace")]
    for args, message in cases:
        result = caravan(dev_agent, *args)
        assert result.returncode == 1, (args, result.stdout)
        assert message in result.stderr, (args, result.stderr)
