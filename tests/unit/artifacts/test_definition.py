"""Artifact definitions: interpolation, the legacy driver-config form, submit checks, key."""

from __future__ import annotations

import pytest

from caravan.client.artifacts import (
    artifact_key,
    interpolate_artifact,
    legacy_artifacts,
)
from caravan.client.artifacts.errors import ArtifactError, GetterError, go_quote
from caravan.errors import InvalidInput
from caravan.structs.artifact import validate_artifact
from caravan.structs import TaskArtifact

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
ENV = {"NOMAD_ALLOC_ID": "0a1b2c3d-0000-1111-2222-333344445555", "VERSION": "1.4.2",
       "node.unique.name": "node-1", "attr.cpu.arch": "amd64", "meta.rack": "r7",
       "NOMAD_META_channel": "beta", "EMPTY": ""}


@pytest.mark.parametrize("text,expected", [
    ("https://h/app-${VERSION}-${attr.cpu.arch}.tgz", "https://h/app-1.4.2-amd64.tgz"),
    ("${NOMAD_ALLOC_ID}", "0a1b2c3d-0000-1111-2222-333344445555"),
    ("local/${node.unique.name}/${meta.rack}", "local/node-1/r7"),
    ("${NOMAD_META_channel}", "beta"),
    ("${UNKNOWN}", "${UNKNOWN}"),
    ("${EMPTY}x", "x"),
    ("${env[\"VERSION\"]}", "${env[\"VERSION\"]}"),  # not a simple name: left as written
    ("$VERSION and ${ VERSION }", "$VERSION and ${ VERSION }"),
    ("no vars", "no vars"),
])
def test_interpolation_of_every_field(text: str, expected: str) -> None:
    art = TaskArtifact(getter_source=text, relative_dest=text,
                       getter_options={"k": text}, getter_headers={"H": text})
    out = interpolate_artifact(art, ENV)
    assert out.getter_source == expected and out.relative_dest == expected
    assert out.getter_options == {"k": expected} and out.getter_headers == {"H": expected}
    assert art.getter_source == text  # the definition itself is untouched


def test_keys_are_not_interpolated() -> None:
    art = TaskArtifact(getter_source="x", getter_options={"${VERSION}": "v"},
                       getter_headers={"${VERSION}": "v"})
    out = interpolate_artifact(art, ENV)
    assert out.getter_options == {"${VERSION}": "v"}
    assert out.getter_headers == {"${VERSION}": "v"}
    assert interpolate_artifact(TaskArtifact(getter_source="x"), ENV).getter_options is None


def test_legacy_form_becomes_one_artifact_into_local() -> None:
    arts, rest = legacy_artifacts({"artifact_source": "https://h/binary.bin",
                                   "checksum": f"sha256:{SHA256}", "command": "binary.bin",
                                   "args": ["-x"]})
    assert arts == [TaskArtifact(getter_source="https://h/binary.bin", relative_dest="local/",
                                 getter_options={"checksum": f"sha256:{SHA256}"})]
    assert rest == {"command": "binary.bin", "args": ["-x"]}


def test_legacy_form_without_checksum_and_without_source() -> None:
    arts, rest = legacy_artifacts({"artifact_source": "https://h/b", "command": "b"})
    assert arts[0].getter_options is None and rest == {"command": "b"}
    config = {"command": "/bin/true", "checksum": "left alone"}
    arts, rest = legacy_artifacts(config)
    assert arts == [] and rest == config and rest is not config


def test_legacy_form_must_be_strings() -> None:
    with pytest.raises(InvalidInput):
        legacy_artifacts({"artifact_source": ["a"]})


@pytest.mark.parametrize("art,problems", [
    (TaskArtifact(getter_source="https://h/x"), []),
    (TaskArtifact(), ["source must be specified"]),
    (TaskArtifact(getter_source="x", relative_dest="../../etc"),
     ["destination escapes allocation directory"]),
    (TaskArtifact(getter_source="x", relative_dest="../alloc/data"), []),
    (TaskArtifact(getter_source="x", relative_dest="/local/abs"), []),
    (TaskArtifact(getter_source="x", relative_dest="local/../../.."),
     ["destination escapes allocation directory"]),
    (TaskArtifact(getter_source="x", getter_options={"checksum": "sha256:abc"}),
     ["invalid checksum: encoding/hex: odd length hex string"]),
    (TaskArtifact(getter_source="x", getter_options={"checksum": "sha256:${SUM}"}), []),
    (TaskArtifact(getter_source="x", getter_options={"checksum": "md5"}),
     ['checksum must be given as "type:value"; got "md5"']),
])
def test_submit_time_checks(art: TaskArtifact, problems: list[str]) -> None:
    assert validate_artifact(art) == problems


def test_key_is_stable_and_covers_the_definition() -> None:
    a = TaskArtifact(getter_source="https://h/x", getter_options={"a": "1", "b": "2"})
    b = TaskArtifact(getter_source="https://h/x", getter_options={"b": "2", "a": "1"})
    assert artifact_key(a) == artifact_key(b)
    assert artifact_key(a) != artifact_key(a.model_copy(update={"relative_dest": "local/y"}))
    assert artifact_key(a) != artifact_key(a.model_copy(update={"chown": True}))


def test_artifact_error_wraps_with_nomads_text() -> None:
    err = ArtifactError.wrap('https://h/a "b"', GetterError("bad response code: 404",
                                                             hint="h"))
    assert err.message == ('failed to download artifact "https://h/a \\"b\\"": '
                           "bad response code: 404")
    assert err.recoverable and err.hint == "h"
    assert go_quote("tab\there\x01é") == '"tab\\there\\x01é"'
