"""The agent file's `tls { }` and `server { client_introduction { } }` blocks."""

from __future__ import annotations

import pytest

from caravan.config.agent_file import load_text
from caravan.errors import InvalidInput


def test_tls_block_read_with_nomads_names() -> None:
    config, ignored = load_text('''
tls {
  http = true
  ca_file = "ca.pem"
  cert_file = "server.pem"
  key_file = "server-key.pem"
  verify_https_client = true
  verify_server_hostname = true
}
''')
    assert "tls" not in ignored
    assert config.tls.http and config.tls.verify_https_client
    assert config.tls.verify_server_hostname
    assert config.http_url().startswith("https://")


@pytest.mark.parametrize("body, problem", [
    ("http = true", "needs cert_file and key_file"),
    ('http = true\ncert_file = "c"\nkey_file = "k"\nverify_https_client = true',
     "needs ca_file"),
    ("verify_everything = true", "unknown key"),
])
def test_incomplete_tls_block_is_an_error(body: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        load_text(f"tls {{\n{body}\n}}\n", filename="agent.hcl")


def test_client_introduction_defaults_are_nomads() -> None:
    config, _ = load_text("server {\n  enabled = true\n}\n")
    intro = config.server.client_introduction
    assert (intro.enforcement, intro.default_identity_ttl, intro.max_identity_ttl) == \
        ("warn", 300.0, 1800.0)
    config, _ = load_text('server {\n  client_introduction {\n    enforcement = "strict"\n'
                          '    default_identity_ttl = "1h"\n    max_identity_ttl = "2h"\n'
                          '  }\n}\n')
    assert config.server.client_introduction.enforcement == "strict"
    assert config.server.client_introduction.max_identity_ttl == 7200.0


@pytest.mark.parametrize("body, problem", [
    ('enforcement = "loud"', "enforcement"),
    ('default_identity_ttl = "1h"', "max_identity_ttl must be greater than or equal"),
])
def test_bad_client_introduction_is_an_error(body: str, problem: str) -> None:
    with pytest.raises(InvalidInput, match=problem):
        load_text(f"server {{\n  client_introduction {{\n    {body}\n  }}\n}}\n")
