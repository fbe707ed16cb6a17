"""`server { etcd { ... } }` in an agent file."""

from __future__ import annotations

import pytest

from caravan.config.agent_file import load_text
from caravan.errors import InvalidInput


def test_the_etcd_block_is_read_with_its_defaults() -> None:
    cfg, ignored = load_text('''
server {
  enabled = true
  etcd {
    endpoints = ["http://10.0.0.1:2379", "https://etcd.example:2379"]
    ca_file = "/etc/caravan/etcd-ca.pem"
  }
}
''')
    etcd = cfg.server.etcd
    assert etcd is not None and ignored == []
    assert etcd.endpoints == ["http://10.0.0.1:2379", "https://etcd.example:2379"]
    assert etcd.key_prefix == "caravan/" and etcd.leader_ttl == 5
    assert etcd.host_ports() == [("10.0.0.1", 2379), ("etcd.example", 2379)]
    assert etcd.tls()


def test_without_an_etcd_block_a_server_keeps_sqlite() -> None:
    cfg, _ = load_text("server { enabled = true }")
    assert cfg.server.etcd is None


@pytest.mark.parametrize(("body", "expect"), [
    ('endpoints = ["ftp://x:1"]', "want http(s)://host:port"),
    ('endpoints = []', "endpoints"),
    ('endpoints = ["http://a:1"]\n key_prefix = "no-slash"', "ending in '/'"),
    ('endpoints = ["http://a:1"]\n leader_ttl = 1', "leader_ttl"),
    ('endpoints = ["http://a:1"]\n peers = 3', "unknown key"),
])
def test_a_bad_etcd_block_is_an_error_naming_the_key(body: str, expect: str) -> None:
    with pytest.raises(InvalidInput) as err:
        load_text(f"server {{\n etcd {{\n {body}\n }}\n}}\n", filename="s.hcl")
    assert expect in str(err.value) and "server.etcd" in str(err.value)
