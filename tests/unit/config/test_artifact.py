"""ArtifactConfig: Nomad's client `artifact { }` keys and defaults, plus allowed_sources."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from caravan.client.artifacts import ArtifactConfig, parse_size


def test_defaults_are_nomads() -> None:
    config = ArtifactConfig()
    assert config.http_read_timeout == 30 * 60
    assert config.http_max_size == 100_000_000_000
    assert config.decompression_size_limit == 100_000_000_000
    assert config.decompression_file_count_limit == 4096
    assert config.allowed_sources == []


def test_agent_file_values() -> None:
    config = ArtifactConfig.model_validate({
        "http_read_timeout": "1m30s", "http_max_size": "2GiB",
        "decompression_size_limit": "500MB", "decompression_file_count_limit": 10,
        "allowed_sources": ["https://files.internal/", "file:///srv/art"],
        "git_timeout": "5m", "disable_filesystem_isolation": True})
    assert config.http_read_timeout == 90
    assert config.http_max_size == 2 * 2**30
    assert config.decompression_size_limit == 500_000_000


@pytest.mark.parametrize("text,size", [
    ("100GB", 100 * 10**9), ("100 GB", 100 * 10**9), ("1GiB", 2**30), ("1gi", 2**30),
    ("1.5 MiB", int(1.5 * 2**20)), ("512", 512), ("512B", 512), ("10k", 10_000),
    ("10KB", 10_000), ("10KiB", 10_240), ("1TB", 10**12), ("0", 0),
])
def test_sizes_read_as_go_humanize(text: str, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("bad", [
    {"http_max_size": "lots"}, {"http_max_size": "10 parsecs"}, {"http_read_timeout": "soon"},
    {"decompression_file_count_limit": -1}, {"allowed_sources": ["ftp://h/"]},
    {"unknown_key": 1},
])
def test_invalid_values_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        ArtifactConfig.model_validate(bad)
