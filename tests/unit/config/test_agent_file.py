from __future__ import annotations

import pytest

from caravan.config.agent_file import load_text
from caravan.errors import InvalidInput

FULL = '''
data_dir   = "/var/lib/caravan"
bind_addr  = "127.0.0.1"
datacenter = "dc2"
name       = "n1"
ports { http = 5646 }
server {
  enabled = true
  heartbeat_grace = "30s"
  bootstrap_expect = 1
}
client {
  enabled    = true
  servers    = ["10.0.0.1:4646"]
  node_class = "batch"
  meta { rack = "r1" }
  host_volume "data" {
    path      = "/srv/data"
    read_only = true
  }
  chroot_env { "/bin" = "/bin" }
  disable_remote_exec = true
}
plugin "raw_exec" {
  config { enabled = true }
}
acl { enabled = true }
telemetry { collection_interval = "1s" }
'''


def test_full_agent_file() -> None:
    cfg, ignored = load_text(FULL, filename="agent.hcl")
    assert cfg.ports.http == 5646 and cfg.datacenter == "dc2" and cfg.name == "n1"
    assert cfg.server.enabled and cfg.server.heartbeat_grace == 30.0
    assert cfg.client.servers == ["10.0.0.1:4646"] and cfg.client.node_class == "batch"
    assert cfg.client.meta == {"rack": "r1"}
    assert cfg.client.host_volume["data"].path == "/srv/data"
    assert cfg.client.host_volume["data"].read_only
    assert cfg.client.chroot_env == {"/bin": "/bin"}  # replaces the default map entirely
    assert cfg.client.disable_remote_exec
    assert cfg.plugin_config("raw_exec") == {"enabled": True}
    assert cfg.acl.enabled
    assert set(ignored) == {"telemetry", "server.bootstrap_expect"}


def test_unknown_key_names_file_line_and_path() -> None:
    with pytest.raises(InvalidInput) as info:
        load_text('client {\n  enabled = true\n  servrs = ["x"]\n}\n', filename="a.hcl")
    assert "a.hcl:3: client.servrs: unknown key" in str(info.value)


def test_wrong_type_and_bad_duration() -> None:
    with pytest.raises(InvalidInput) as info:
        load_text('ports { http = "abc" }\nserver { heartbeat_grace = "ten" }\n')
    text = str(info.value)
    assert "ports.http" in text and "server.heartbeat_grace" in text


def test_syntax_error_has_line() -> None:
    with pytest.raises(InvalidInput, match=r"a.hcl:2: syntax error"):
        load_text('ports {\n  http = = 1\n}\n', filename="a.hcl")


def test_dynamic_port_range_and_interface() -> None:
    config, ignored = load_text('client {\n  network_interface = "lo"\n'
                                '  min_dynamic_port = 21000\n  max_dynamic_port = 21100\n}\n')
    assert (config.client.network_interface, config.client.min_dynamic_port,
            config.client.max_dynamic_port) == ("lo", 21000, 21100)
    assert "client.network_interface" not in ignored
    with pytest.raises(InvalidInput, match="min_dynamic_port"):
        load_text("client {\n  min_dynamic_port = 30000\n  max_dynamic_port = 20000\n}\n")
