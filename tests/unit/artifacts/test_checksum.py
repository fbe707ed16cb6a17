"""The `checksum` option: Nomad's submit-time texts, in Nomad's order of checks."""

from __future__ import annotations

import pytest

from caravan.client.artifacts.checksum import verify_checksum
from caravan.structs.artifact import Checksum, ChecksumError, parse_checksum
from caravan.client.artifacts.errors import GetterError

MD5 = "d41d8cd98f00b204e9800998ecf8427e"
SHA1 = "da39a3ee5e6b4b0d3255bfef95601890afd80709"
SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SHA512 = ("cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
          "47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e")


@pytest.mark.parametrize("text,kind,value", [
    (f"md5:{MD5}", "md5", MD5),
    (f"sha1:{SHA1}", "sha1", SHA1),
    (f"sha256:{SHA256}", "sha256", SHA256),
    (f"sha512:{SHA512}", "sha512", SHA512),
    (f"  sha256:{SHA256.upper()}  ", "sha256", SHA256),
])
def test_valid_checksums(text: str, kind: str, value: str) -> None:
    assert parse_checksum(text) == Checksum(kind, value)


@pytest.mark.parametrize("text,message", [
    ("", "checksum value cannot be empty"),
    ("   ", "checksum value cannot be empty"),
    (SHA256, f'checksum must be given as "type:value"; got "{SHA256}"'),
    ("sha256:ab:cd", 'checksum must be given as "type:value"; got "sha256:ab:cd"'),
    ("sha256:abc", "invalid checksum: encoding/hex: odd length hex string"),
    ("sha256:zz", "invalid checksum: encoding/hex: invalid byte: U+007A 'z'"),
    ("sha256:abz", "invalid checksum: encoding/hex: invalid byte: U+007A 'z'"),
    ("crc32:abcd", "unsupported checksum type: crc32"),
    ("crc32:xyz", "invalid checksum: encoding/hex: invalid byte: U+0078 'x'"),
    (f"md5:{SHA256}", f"invalid md5 checksum: {SHA256}"),
    ("sha256:", "invalid sha256 checksum: "),
    (f"sha512:{SHA256}", f"invalid sha512 checksum: {SHA256}"),
])
def test_invalid_checksums_give_nomads_text(text: str, message: str) -> None:
    with pytest.raises(ChecksumError) as caught:
        parse_checksum(text)
    assert caught.value.message == message


def test_mismatch_names_the_file_and_both_digests() -> None:
    with pytest.raises(GetterError) as caught:
        verify_checksum(Checksum("sha256", SHA256), "AB" * 32, "local/app.tgz")
    assert caught.value.message == ("Checksums did not match for local/app.tgz.\n"
                                    f"Expected: {SHA256}\nGot: {'ab' * 32}")
    verify_checksum(Checksum("sha256", SHA256), SHA256.upper(), "local/app.tgz")
