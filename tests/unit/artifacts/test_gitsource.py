"""Parsing `git::` sources as go-getter detects them, and refusing option-like parts."""

from __future__ import annotations

import base64

import pytest

from caravan.client.artifacts.errors import GetterError
from caravan.client.artifacts.gitsource import is_git_source, parse_git_source


@pytest.mark.parametrize("raw,url,scheme", [
    ("git::https://h/org/repo.git", "https://h/org/repo.git", "https"),
    ("GIT::http://h/repo", "http://h/repo", "http"),
    ("git::file:///srv/repos/app", "file:///srv/repos/app", "file"),
    ("git@github.com:org/repo.git", "ssh://git@github.com/org/repo.git", "ssh"),
    ("git::ssh://git@h:2222/org/repo.git", "ssh://git@h:2222/org/repo.git", "ssh"),
    ("github.com/org/repo", "https://github.com/org/repo.git", "https"),
    ("gitlab.com/org/repo.git", "https://gitlab.com/org/repo.git", "https"),
])
def test_forced_and_detected_sources(raw: str, url: str, scheme: str) -> None:
    assert is_git_source(raw)
    source = parse_git_source(raw)
    assert (source.url, source.scheme) == (url, scheme)


@pytest.mark.parametrize("raw", ["https://h/repo.git", "/srv/x", "http::https://h/x",
                                 "relative/path"])
def test_other_sources_are_not_git(raw: str) -> None:
    assert not is_git_source(raw)


def test_ref_depth_and_sshkey_leave_the_query_and_others_stay() -> None:
    key = base64.b64encode(b"-----BEGIN KEY-----\nabc\n").decode()
    source = parse_git_source(f"git::https://h/repo.git?ref=v1&z=1&sshkey={key}",
                              {"depth": "1", "checksum": "sha256:00", "a": "b"})
    assert source.url == "https://h/repo.git?a=b&z=1"
    assert (source.ref, source.depth) == ("v1", 1)
    assert source.sshkey == b"-----BEGIN KEY-----\nabc\n"


def test_options_win_over_the_query() -> None:
    assert parse_git_source("git::https://h/r?ref=a", {"ref": "b"}).ref == "b"


@pytest.mark.parametrize("raw,url,subdir", [
    ("git::https://h/repo.git//sub/dir?ref=x", "https://h/repo.git", "sub/dir"),
    ("git::file:///srv/app//conf", "file:///srv/app", "conf"),
    ("git::file:///srv/app", "file:///srv/app", ""),
])
def test_a_double_slash_names_a_subdirectory(raw: str, url: str, subdir: str) -> None:
    source = parse_git_source(raw)
    assert (source.url, source.subdir) == (url, subdir)


@pytest.mark.parametrize("raw,options,message", [
    ("git::https://h/r", {"ref": "--upload-pack=x"}, 'git ref "--upload-pack=x" is refused'),
    ("git::https://h/r?ref=-u%20x", {}, 'git ref "-u x" is refused'),
    ("git::https://h/r", {"ref": "a..b"}, 'git ref "a..b" is refused'),
    ("git::https://h/r", {"depth": "0"}, 'git depth "0" must be a positive whole number'),
    ("git::https://h/r", {"depth": "-1"}, 'git depth "-1" must be a positive whole number'),
    ("git::ssh://-oProxyCommand=x/r", {}, 'git source host "-oproxycommand=x" is refused'),
    ("git::ssh://-oProxyCommand=x@h/r", {}, 'git source user "-oProxyCommand=x" is refused'),
    ("git::ext::sh -c x", {}, "git sources must be https, http, ssh or file URLs, not 'ext'"),
    ("git::--upload-pack=x", {}, "git sources must be https, http, ssh or file URLs, not ''"),
    ("git::ftp://h/r", {}, "git sources must be https, http, ssh or file URLs, not 'ftp'"),
    ("git::file://host/r", {}, "file sources must be absolute paths (file:///path)"),
    ("git::https://h/r//../../x", {}, 'git subdirectory "../../x" contains ".."'),
    ("git::file:///srv/../etc", {}, 'git source path "/srv/../etc" contains ".."'),
])
def test_unusable_or_option_like_sources(raw: str, options: dict[str, str],
                                         message: str) -> None:
    with pytest.raises(GetterError) as caught:
        parse_git_source(raw, options)
    assert caught.value.message.startswith(message)
