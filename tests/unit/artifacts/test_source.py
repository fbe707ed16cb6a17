"""Sources: schemes, forced getters, options as query parameters, consumed options."""

from __future__ import annotations

import pytest

from caravan.structs.artifact import Checksum
from caravan.client.artifacts.errors import GetterError
from caravan.client.artifacts.extract import detect_archive, unpacked_name
from caravan.client.artifacts.source import parse_source, redact

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_plain_https_source() -> None:
    source = parse_source("https://files.example.com/bin/app")
    assert (source.url, source.scheme, source.filename) == (
        "https://files.example.com/bin/app", "https", "app")
    assert source.checksum is None and source.archive is None


@pytest.mark.parametrize("raw,url,scheme", [
    ("http::https://h/x", "https://h/x", "https"),
    ("https::http://h/x", "http://h/x", "http"),
    ("HTTP::http://h/x", "http://h/x", "http"),
    ("file::file:///srv/x", "file:///srv/x", "file"),
    ("/srv/artifacts/app", "file:///srv/artifacts/app", "file"),
])
def test_forced_getters_and_bare_paths(raw: str, url: str, scheme: str) -> None:
    source = parse_source(raw)
    assert (source.url, source.scheme) == (url, scheme)


@pytest.mark.parametrize("raw,message", [
    ("s3::https://bucket.s3.amazonaws.com/x", "download not supported for scheme 's3'"),
    ("gcs::https://www.googleapis.com/storage/v1/b/x", "download not supported for scheme 'gcs'"),
    ("hg::http://h/repo", "download not supported for scheme 'hg'"),
    ("ftp://h/x", "download not supported for scheme 'ftp'"),
    ("relative/path", "download not supported for scheme ''"),
    ("weird::http://h/x", "download not supported for scheme 'weird'"),
    ("http::file:///etc/passwd", "getter 'http' cannot fetch a file URL"),
    ("file::https://h/x", "getter 'file' cannot fetch a https URL"),
    ("http:///no-host", "source URL http://... has no host"),
    ("file://host/etc/passwd", "file sources must be absolute paths (file:///path)"),
    ("file:///srv/../etc/passwd", 'file source path "/srv/../etc/passwd" contains ".."'),
    ("http://h:99999/x", 'failed to parse source URL "http://h:99999/x": '
                         "Port out of range 0-65535"),
])
def test_unusable_sources(raw: str, message: str) -> None:
    with pytest.raises(GetterError) as caught:
        parse_source(raw)
    assert caught.value.message == message


def test_unsupported_getter_has_a_hint() -> None:
    with pytest.raises(GetterError) as caught:
        parse_source("hg::https://h/r")
    assert caught.value.hint is not None and "http, https, file and git" in caught.value.hint


def test_options_become_sorted_query_parameters() -> None:
    source = parse_source("https://h/app?z=1&a=x&a=y&keep=", {"m": "two words", "a": "over"})
    assert source.url == "https://h/app?a=over&keep=&m=two+words&z=1"


def test_checksum_archive_and_filename_are_consumed() -> None:
    source = parse_source("https://h/download?token=t", {
        "checksum": f"sha256:{SHA256}", "archive": "tgz", "filename": "app.tgz"})
    assert source.url == "https://h/download?token=t"
    assert source.checksum == Checksum("sha256", SHA256)
    assert (source.archive, source.filename) == ("tgz", "app.tgz")


def test_checksum_in_the_url_itself_is_consumed_and_options_win() -> None:
    source = parse_source(f"https://h/app?checksum=md5:{'0' * 32}",
                          {"checksum": f"sha256:{SHA256}"})
    assert source.url == "https://h/app" and source.checksum == Checksum("sha256", SHA256)


def test_a_bad_checksum_option_fails_at_parse_time() -> None:
    with pytest.raises(GetterError, match="unsupported checksum type: crc"):
        parse_source("https://h/app", {"checksum": "crc:00"})


@pytest.mark.parametrize("raw,url", [
    ("https://h/a/../b/./c", "https://h/b/c"),
    ("https://h/../../etc/passwd", "https://h/etc/passwd"),
    ("https://h", "https://h/"),
    ("https://h/dir/", "https://h/dir/"),
])
def test_dot_segments_are_resolved(raw: str, url: str) -> None:
    assert parse_source(raw).url == url


def test_credentials_are_hidden_in_what_is_shown() -> None:
    source = parse_source("https://user:pa55@h/app")
    assert source.url == "https://user:pa55@h/app"
    assert source.shown == "https://user:xxxxx@h/app"
    assert redact("https://h/app") == "https://h/app"


@pytest.mark.parametrize("name,option,kind", [
    ("app.tar.gz", None, "tar.gz"), ("app.tgz", None, "tar.gz"), ("APP.TGZ", None, "tar.gz"),
    ("app.tar.bz2", None, "tar.bz2"), ("app.tbz2", None, "tar.bz2"),
    ("app.tar.xz", None, "tar.xz"), ("app.txz", None, "tar.xz"), ("app.tar", None, "tar"),
    ("app.zip", None, "zip"), ("app.gz", None, "gz"), ("app.bz2", None, "bz2"),
    ("app.xz", None, "xz"), ("app", None, None), ("app.jar", None, None),
    ("app.tgz", "false", None), ("app.tgz", "0", None), ("app.tgz", "False", None),
    ("download", "zip", "zip"), ("download", "tgz", "tar.gz"), ("app.zip", "true", "zip"),
    ("app.zip", "", "zip"),
])
def test_archive_detection(name: str, option: str | None, kind: str | None) -> None:
    assert detect_archive(name, option) == kind


@pytest.mark.parametrize("name,option,message", [
    ("app", "rar", "unsupported archive type: rar"),
    ("app.tar.zst", None, "archive type tar.zst is not supported (no zstd decompressor)"),
    ("app", "zst", "archive type zst is not supported (no zstd decompressor)"),
])
def test_archive_types_we_cannot_unpack(name: str, option: str | None, message: str) -> None:
    with pytest.raises(GetterError) as caught:
        detect_archive(name, option)
    assert caught.value.message == message


@pytest.mark.parametrize("name,kind,out", [
    ("tool.gz", "gz", "tool"), ("tool.bz2", "bz2", "tool"), ("tool.xz", "xz", "tool"),
    ("download", "gz", "download"), ("x.tgz", "tar.gz", "x"),
])
def test_unpacked_name(name: str, kind: str, out: str) -> None:
    assert unpacked_name(name, kind) == out
