"""The client's `artifact { }` block: Nomad's keys and defaults, plus our `allowed_sources`.

    client {
      artifact {
        http_read_timeout              = "30m"     # whole download, and the longest silence
        http_max_size                  = "100GB"   # bytes downloaded per artifact
        decompression_size_limit       = "100GB"   # bytes unpacked per artifact
        decompression_file_count_limit = 4096      # entries unpacked per artifact
        allowed_sources = ["https://files.internal/", "mirror.example.com", "file:///srv/art/"]
      }
    }

Sizes are go-humanize strings as in Nomad (`100GB` is 10^11 bytes, `1GiB` is 2^30) or
plain byte counts; durations are Go strings. A limit of 0 means no limit. Nomad's
getter timeouts for s3/gcs/git/hg and its sandbox switches are accepted so that agent
files written for Nomad load, but caravan has no such getters.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from caravan.config.sources import parse_rule
from caravan.durations import parse_duration

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([a-zA-Z]*)\s*$")
_SI = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15,
       "e": 10**18}
_IEC = {"k": 2**10, "m": 2**20, "g": 2**30, "t": 2**40, "p": 2**50, "e": 2**60}


def parse_size(text: str) -> int:
    """Bytes in `text` as go-humanize's ParseBytes reads them: `100GB`, `1.5 MiB`, `512`."""
    match = _SIZE.match(text)
    if match is None:
        raise ValueError(f"invalid size {text!r}")
    number, unit = float(match.group(1)), match.group(2).lower()
    if unit.endswith("ib") and unit[:1] in _IEC and len(unit) == 3:
        return int(number * _IEC[unit[0]])
    if unit.endswith("i") and unit[:1] in _IEC and len(unit) == 2:
        return int(number * _IEC[unit[0]])
    base = unit[:-1] if unit.endswith("b") and len(unit) == 2 else unit
    if base not in _SI:
        raise ValueError(f"invalid size {text!r}: unknown unit {match.group(2)!r}")
    return int(number * _SI[base])


def _bytes(value: Any) -> Any:
    return parse_size(value) if isinstance(value, str) else value


def _seconds(value: Any) -> Any:
    return parse_duration(value) / 1e9 if isinstance(value, str) else value


Bytes = Annotated[int, BeforeValidator(_bytes), Field(ge=0)]
Seconds = Annotated[float, BeforeValidator(_seconds), Field(ge=0)]


class ArtifactConfig(BaseModel):
    """Limits and the source allow-list every artifact fetch of this client obeys."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    http_read_timeout: Seconds = 30 * 60.0
    http_max_size: Bytes = 100 * 10**9
    decompression_size_limit: Bytes = 100 * 10**9
    decompression_file_count_limit: int = Field(default=4096, ge=0)
    # Empty: any http/https source, no file:// source. Otherwise a source must match
    # an entry: a URL prefix (`https://host[:port]/path`, `file:///dir`) or a host
    # (`files.internal`, `files.internal:8080`, `*.example.com`, for http and https).
    allowed_sources: list[str] = Field(default_factory=list)
    # Accepted for Nomad agent files; caravan has no s3/gcs/git/hg getters.
    gcs_timeout: Seconds = 30 * 60.0
    git_timeout: Seconds = 30 * 60.0
    hg_timeout: Seconds = 30 * 60.0
    s3_timeout: Seconds = 30 * 60.0
    disable_filesystem_isolation: bool = False
    set_environment_variables: str = ""

    @field_validator("allowed_sources")
    @classmethod
    def _check_rules(cls, value: list[str]) -> list[str]:
        for entry in value:
            parse_rule(entry)
        return value
