"""The client's `template { }` block (Nomad's keys): the function denylist, the default
wait and its bounds, and the file sandbox that cannot be turned off."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from caravan.client.template.files import AllocFiles
from caravan.client.template.manager import TemplateFailed, TemplateSet
from caravan.client.template.render import TemplateRenderer
from caravan.config.agent_file import load_text
from caravan.config.template import TemplateConfig
from caravan.errors import InvalidInput
from caravan.structs import Template

AGENT = '''
client {
  enabled = true
  template {
    function_denylist = ["sha256*"]
    block_query_wait  = "1m"
    max_stale         = "87600h"
    wait {
      min = "1s"
      max = "10s"
    }
    wait_bounds {
      min = "2s"
      max = "5s"
    }
    nomad_retry {
      attempts = 3
    }
  }
}
'''


def test_nomads_keys_load() -> None:
    config, ignored = load_text(AGENT)
    template = config.client.template
    assert "client.template" not in ignored
    assert template.function_denylist == ("sha256*", "plugin", "writeToFile")
    assert template.block_query_wait == 60.0
    assert template.wait_for(None, None) == (1.0, 10.0)  # the client's own wait
    assert template.wait_for(0, 30 * 10**9) == (2.0, 5.0)  # a job's, clamped by the bounds


def test_the_default_is_nomads() -> None:
    template = TemplateConfig()
    assert template.function_denylist == ("plugin", "writeToFile")
    assert template.wait_for(None, None) == (5.0, 240.0)


def test_the_sandbox_cannot_be_disabled() -> None:
    with pytest.raises(InvalidInput, match="always renders templates inside the allocation"):
        load_text('client {\n  template {\n    disable_file_sandbox = true\n  }\n}\n')


def test_a_denied_function_fails_the_template(tmp_path: Path) -> None:
    (tmp_path / "t" / "local").mkdir(parents=True)
    files = AllocFiles(tmp_path, "t")
    config, _ = load_text(AGENT)
    template = Template(embedded_tmpl='{{ "x" | sha256Hex }}', dest_path="local/x")
    renderer = TemplateRenderer(template, files, "t/local/x", template.embedded_tmpl, {},
                                config.client.template.function_denylist)
    tset = TemplateSet([renderer], None, "default", config=config.client.template)  # type: ignore[arg-type]
    with pytest.raises(TemplateFailed, match="function_denylist"):
        asyncio.run(tset.render(first=True))
