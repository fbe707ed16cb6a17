"""The agent's `ui { }` block (Nomad's names): whether `/ui/` serves the web UI, and the
Content-Security-Policy it is served with.

    ui {
      enabled = true                          # false: /ui/ answers a short "disabled" page
      content_security_policy {               # each key given replaces that directive
        connect_src     = ["'self'"]          # (the others keep caravan's defaults, which
        default_src     = ["'none'"]          #  allow only the agent's own origin)
        form_action     = ["'self'"]
        frame_ancestors = ["'none'"]
        img_src         = ["'self'", "data:"]
        script_src      = ["'self'"]
        style_src       = ["'self'", "'unsafe-inline'"]
      }
    }

Nomad's `consul`, `vault`, `label` and `show_cli_hints` keys are accepted and reported as
ignored (agent_file.py): caravan's UI has no deep links or labels.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator

# A source may not end its directive (`;`), start another policy (`,`) or carry
# whitespace or control characters: a config value must not rewrite the whole header.
_SOURCE = re.compile(r"^[^;,\s\x00-\x1f\x7f]+$")


class ContentSecurityPolicyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    connect_src: list[str] | None = None
    default_src: list[str] | None = None
    form_action: list[str] | None = None
    frame_ancestors: list[str] | None = None
    img_src: list[str] | None = None
    script_src: list[str] | None = None
    style_src: list[str] | None = None

    @field_validator("*")
    @classmethod
    def _sources(cls, value: list[str] | None) -> list[str] | None:
        for source in value or []:
            if not _SOURCE.match(source):
                raise ValueError(f"{source!r} is not a CSP source: one word, no ';' or ','"
                                 " (e.g. \"'self'\", \"https://cdn.example.com\")")
        return value

    def directives(self) -> dict[str, list[str]]:
        """The directives set here, by their CSP names (`connect_src` -> `connect-src`)."""
        return {name.replace("_", "-"): value for name, value in self
                if value is not None and len(value) > 0}


class UIConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = True
    content_security_policy: ContentSecurityPolicyConfig = Field(
        default_factory=ContentSecurityPolicyConfig)
