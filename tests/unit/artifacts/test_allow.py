"""The client's allowed_sources: URL prefixes on segment boundaries, hosts, file dirs."""

from __future__ import annotations

import pytest

from caravan.client.artifacts.allow import check_allowed
from caravan.client.artifacts.errors import GetterError
from caravan.config.sources import parse_rule


def allowed(url: str, *entries: str) -> bool:
    try:
        check_allowed(url, [parse_rule(e) for e in entries])
    except GetterError:
        return False
    return True


@pytest.mark.parametrize("url,entries,expected", [
    ("https://any.host/x", (), True),
    ("http://any.host/x", (), True),
    ("file:///srv/x", (), False),
    ("https://files.internal/bin/app", ("https://files.internal/bin/",), True),
    ("https://files.internal/bin", ("https://files.internal/bin/",), True),
    ("https://files.internal/binaries/app", ("https://files.internal/bin",), False),
    ("https://files.internal/other", ("https://files.internal/bin/",), False),
    ("https://files.internal/bin/../etc", ("https://files.internal/bin/",), False),
    ("https://files.internal/bin/%2e%2e/etc", ("https://files.internal/bin/",), False),
    ("https://files.internal.evil.net/bin/app", ("https://files.internal/bin/",), False),
    ("http://files.internal/bin/app", ("https://files.internal/bin/",), False),
    ("https://files.internal:8443/app", ("https://files.internal/",), False),
    ("https://files.internal:443/app", ("https://files.internal/",), True),
    ("https://FILES.internal/app", ("https://files.internal",), True),
    ("http://files.internal:8080/app", ("files.internal",), True),
    ("https://files.internal/app", ("files.internal:8080",), False),
    ("http://files.internal:8080/app", ("files.internal:8080",), True),
    ("https://a.example.com/x", ("*.example.com",), True),
    ("https://example.com/x", ("*.example.com",), False),
    ("https://badexample.com/x", ("*.example.com",), False),
    ("file:///srv/artifacts/app", ("file:///srv/artifacts",), True),
    ("file:///srv/artifacts-old/app", ("file:///srv/artifacts",), False),
    ("file:///srv/my%20art/app", ("file:///srv/my art/",), True),
    ("file:///srv/x", ("srv",), False),
    ("https://other/x", ("https://files.internal/", "other"), True),
])
def test_rules(url: str, entries: tuple[str, ...], expected: bool) -> None:
    assert allowed(url, *entries) is expected


@pytest.mark.parametrize("entry", ["", "ftp://h/", "file://host/x", "host/path", "h:port",
                                   "https:///nohost"])
def test_entries_that_mean_nothing_are_rejected(entry: str) -> None:
    with pytest.raises(ValueError, match="allowed_sources"):
        parse_rule(entry)


def test_refusal_names_the_url_and_hints_for_files() -> None:
    with pytest.raises(GetterError) as caught:
        check_allowed("file:///etc/shadow", [])
    assert caught.value.message == ("source file:///etc/shadow is not allowed by the client's "
                                    "artifact allowed_sources")
    assert caught.value.hint is not None
