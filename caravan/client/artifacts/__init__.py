"""Artifacts: fetch, verify and unpack what a task runs, without escaping its task dir.

    hook.py        ArtifactHook.prestart: events, up to 3 fetches at once
    fetch.py       fetch_artifact: one artifact, end to end, in a worker thread
    definition.py  key, ${...} interpolation, the legacy driver-config form
    source.py      source URL, forced getter, options -> query, checksum/archive options
    allow.py       matching URLs against the client's allowed_sources
    gitsource.py   `git::` sources (go-getter's detection, ref/depth/sshkey, `//subdir`)
    gitclone.py    running git with no option, hook or config a source could inject
    download.py    httpx / file copy with limits, hashing while streaming
    checksum.py    comparing a download with its checksum (parsing and the submit-time
                   checks live in caravan.structs.artifact, shared with the server)
    extract.py     archive types, tar/zip/gz/bz2/xz unpacking into a staging tree
    members.py     our rules for every archive entry, and the size/count limits
    place.py       no-follow directory walks, post-check, rename into place
    (ArtifactConfig, the client's `artifact { }` block, lives in caravan.config.artifact)
"""

from caravan.client.artifacts.definition import (
    artifact_key,
    interpolate_artifact,
    legacy_artifacts,
)
from caravan.client.artifacts.errors import ArtifactError, GetterError
from caravan.client.artifacts.fetch import (
    FetchResult,
    fetch_artifact,
    fetch_artifact_sync,
    is_fetched,
)
from caravan.client.artifacts.hook import (
    DOWNLOADING_ARTIFACTS,
    DOWNLOADING_ARTIFACTS_MESSAGE,
    FAILED_ARTIFACT_DOWNLOAD,
    ArtifactHook,
)
from caravan.config.artifact import ArtifactConfig, parse_size

__all__ = [
    "DOWNLOADING_ARTIFACTS", "DOWNLOADING_ARTIFACTS_MESSAGE", "FAILED_ARTIFACT_DOWNLOAD",
    "ArtifactConfig", "ArtifactError", "ArtifactHook", "FetchResult", "GetterError",
    "artifact_key", "fetch_artifact", "fetch_artifact_sync", "interpolate_artifact",
    "is_fetched", "legacy_artifacts", "parse_size",
]
