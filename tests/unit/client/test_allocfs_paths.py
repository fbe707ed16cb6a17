"""alloc fs path rules and Go's FileMode text, without an agent."""

from __future__ import annotations

import stat

import pytest

from caravan.client.allocfs import clean_path, file_mode
from caravan.errors import InvalidInput, PermissionDenied


@pytest.mark.parametrize(("path", "clean"), [
    ("/", ""), ("", ""), (".", ""), ("/alloc/logs/", "alloc/logs"),
    ("web//local/./x", "web/local/x"),
    ("web/local/../local/x", "web/local/x"), ("secrets/x", "secrets/x"),  # a task named secrets
])
def test_clean_path(path: str, clean: str) -> None:
    assert clean_path(path) == clean


@pytest.mark.parametrize("path", ["web/secrets", "web/SECRETS/", "/web/./Secrets/x",
                                  "web/../web/secrets/token", "a/../web/secrets",
                                  "web/private/x", "web/PRIVATE"])
def test_secrets_and_private_refused(path: str) -> None:
    with pytest.raises(PermissionDenied, match="prohibited"):
        clean_path(path)


@pytest.mark.parametrize("path", ["..", "../etc", "web/../../etc/shadow", "a\x00b"])
def test_escapes_and_nul_refused(path: str) -> None:
    with pytest.raises(InvalidInput):
        clean_path(path)


@pytest.mark.parametrize(("mode", "text"), [
    (stat.S_IFREG | 0o644, "-rw-r--r--"), (stat.S_IFDIR | 0o755, "drwxr-xr-x"),
    (stat.S_IFLNK | 0o777, "Lrwxrwxrwx"), (stat.S_IFDIR | stat.S_ISVTX | 0o777, "dtrwxrwxrwx"),
    (stat.S_IFREG | stat.S_ISUID | 0o755, "urwxr-xr-x"), (stat.S_IFIFO | 0o600, "prw-------"),
    (stat.S_IFCHR | 0o666, "Dcrw-rw-rw-"), (stat.S_IFSOCK | 0o755, "Srwxr-xr-x"),
])
def test_go_file_mode(mode: int, text: str) -> None:
    assert file_mode(mode) == text
