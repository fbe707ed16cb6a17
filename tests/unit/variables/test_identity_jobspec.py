"""The `identity` block in job files and API bodies: honoured fields, refused ones named."""

from __future__ import annotations

import json

import pytest

from caravan.errors import InvalidInput
from caravan.jobspec import parse_hcl, parse_json

HCL = '''job "j" {
  group "g" {
    task "t" {
      driver = "exec"
      identity {
        aud  = ["vault.io", "nomadproject.io"]
        env  = true
        file = true
        ttl  = "1h"
        %s
      }
    }
  }
}
'''


def test_hcl_identity_is_decoded() -> None:
    task = parse_hcl(HCL % "", filename="j.nomad.hcl").task_groups[0].tasks[0]
    assert task.identity is not None
    assert task.identity.audience == ["vault.io", "nomadproject.io"]
    assert task.identity.env and task.identity.file
    assert task.identity.ttl == 3600 * 10**9


def test_hcl_refuses_what_caravan_does_not_do() -> None:
    with pytest.raises(InvalidInput, match="change_mode"):
        parse_hcl(HCL % 'change_mode = "restart"', filename="j.nomad.hcl")


def test_json_identity_and_named_identities() -> None:
    body = {"ID": "j", "TaskGroups": [{"Name": "g", "Tasks": [{
        "Name": "t", "Driver": "exec",
        "Identity": {"Name": "default", "Env": True, "TTL": 60_000_000_000}}]}]}
    task = parse_json(json.dumps({"Job": body})).task_groups[0].tasks[0]
    assert task.identity is not None and task.identity.env and task.identity.ttl == 6e10
    body["TaskGroups"][0]["Tasks"][0]["Identities"] = [{"Name": "vault_default"}]
    with pytest.raises(InvalidInput, match="Identities"):
        parse_json(json.dumps({"Job": body}))
