"""fetch_artifact against a real HTTP server: every archive type, checksums, failures."""

from __future__ import annotations

import asyncio
import bz2
import gzip
import hashlib
import lzma
import os
import stat
from pathlib import Path

import pytest

from caravan.client.artifacts import ArtifactConfig, ArtifactError, fetch_artifact
from caravan.client.artifacts.fetch import FetchResult
from caravan.structs import TaskArtifact
from tests.integration.artifacts.archives import BENIGN, benign_archive, single
from tests.integration.artifacts.conftest import ArtifactServer, HostGuard, Route, artifact

pytestmark = pytest.mark.integration

BINARY = b"\x7fELF-not-really\x00" * 64


def fetch(art: TaskArtifact, task_dir: Path, config: ArtifactConfig,
          env: dict[str, str] | None = None, *,
          owner: tuple[int, int] | None = None) -> FetchResult:
    return asyncio.run(fetch_artifact(art, task_dir, env or {}, config, owner=owner))


def fails(art: TaskArtifact, task_dir: Path, config: ArtifactConfig) -> str:
    with pytest.raises(ArtifactError) as caught:
        fetch(art, task_dir, config)
    assert caught.value.recoverable
    return caught.value.message


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_benign_tree(root: Path) -> None:
    for name, (data, mode) in BENIGN.items():
        path = root / name
        if name.endswith("/"):
            assert path.is_dir() and not path.is_symlink()
            continue
        assert path.read_bytes() == data
        assert stat.S_IMODE(path.stat().st_mode) == mode


def leftovers(task_dir: Path) -> list[str]:
    """Staging dirs: in the alloc dir (the task dir's parent), where no task can write."""
    return [p.name for p in task_dir.parent.iterdir() if p.name.startswith(".caravan-artifact-")]


def test_plain_binary_lands_executable_in_local(server: ArtifactServer, task_dir: Path,
                                                config: ArtifactConfig, host: HostGuard) -> None:
    url = server.serve("/bin/name-of-my-binary", BINARY)
    result = fetch(artifact(url, getter_options={"checksum": "sha256:" + sha256(BINARY)}),
                   task_dir, config)
    target = task_dir / "local" / "name-of-my-binary"
    assert target.read_bytes() == BINARY
    assert stat.S_IMODE(target.stat().st_mode) == 0o755
    assert result.destination == task_dir / "local"
    assert result.entries == ("name-of-my-binary",) and result.size == len(BINARY)
    assert leftovers(task_dir) == []
    host.assert_untouched()


@pytest.mark.parametrize("kind", ["tar", "tar.gz", "tgz", "tar.bz2", "tbz2", "tar.xz", "txz",
                                  "zip"])
def test_every_archive_type_unpacks_into_the_destination(
        kind: str, server: ArtifactServer, task_dir: Path, config: ArtifactConfig,
        host: HostGuard) -> None:
    body = benign_archive(kind)
    url = server.serve(f"/app.{kind}", body)
    fetch(artifact(url, relative_dest="local/app", getter_options={
        "checksum": "sha256:" + sha256(body)}), task_dir, config)
    assert_benign_tree(task_dir / "local" / "app")
    assert not (task_dir / "local" / f"app.{kind}").exists()
    assert leftovers(task_dir) == []
    host.assert_untouched()


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz"])
def test_single_file_compressors(kind: str, server: ArtifactServer, task_dir: Path,
                                 config: ArtifactConfig) -> None:
    url = server.serve(f"/tool.{kind}", single(kind, BINARY))
    fetch(artifact(url), task_dir, config)
    target = task_dir / "local" / "tool"
    assert target.read_bytes() == BINARY
    assert stat.S_IMODE(target.stat().st_mode) == 0o755


def test_archive_false_keeps_the_archive(server: ArtifactServer, task_dir: Path,
                                         config: ArtifactConfig) -> None:
    body = benign_archive("tgz")
    url = server.serve("/app.tgz", body)
    fetch(artifact(url, getter_options={"archive": "false"}), task_dir, config)
    assert (task_dir / "local" / "app.tgz").read_bytes() == body
    assert not (task_dir / "local" / "bin").exists()


def test_archive_option_forces_a_type(server: ArtifactServer, task_dir: Path,
                                      config: ArtifactConfig) -> None:
    url = server.serve("/download", benign_archive("zip"))
    fetch(artifact(url, getter_options={"archive": "zip"}), task_dir, config)
    assert_benign_tree(task_dir / "local")


@pytest.mark.parametrize("kind,make", [("md5", hashlib.md5), ("sha1", hashlib.sha1),
                                       ("sha512", hashlib.sha512)])
def test_other_checksum_types(kind: str, make: object, server: ArtifactServer, task_dir: Path,
                              config: ArtifactConfig) -> None:
    url = server.serve("/bin/tool", BINARY)
    digest = make(BINARY).hexdigest()  # type: ignore[operator]
    fetch(artifact(url, getter_options={"checksum": f"{kind}:{digest}"}), task_dir, config)
    assert (task_dir / "local" / "tool").read_bytes() == BINARY


def test_wrong_checksum_says_what_was_expected_and_what_arrived(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig) -> None:
    url = server.serve("/bin/tool", BINARY)
    wrong = "0" * 64
    message = fails(artifact(url, getter_options={"checksum": f"sha256:{wrong}"}),
                    task_dir, config)
    assert message == (f'failed to download artifact "{url}": Checksums did not match for '
                       f"local/tool.\nExpected: {wrong}\nGot: {sha256(BINARY)}")
    assert list((task_dir / "local").iterdir()) == []


def test_404_fails_with_the_response_code(server: ArtifactServer, task_dir: Path,
                                          config: ArtifactConfig) -> None:
    url = server.url("/missing")
    message = fails(artifact(url), task_dir, config)
    assert message == f'failed to download artifact "{url}": bad response code: 404'
    assert list((task_dir / "local").iterdir()) == []


def test_a_stalled_server_times_out(server: ArtifactServer, task_dir: Path) -> None:
    server.routes["/slow"] = Route(slow=True)
    config = ArtifactConfig(http_read_timeout="300ms")
    message = fails(artifact(server.url("/slow")), task_dir, config)
    assert "timed out reading from" in message
    assert "300ms (client artifact http_read_timeout)" in message
    assert list((task_dir / "local").iterdir()) == []


def test_connection_refused_is_clear(task_dir: Path, config: ArtifactConfig) -> None:
    message = fails(artifact("http://127.0.0.1:9/app"), task_dir, config)
    assert message.startswith('failed to download artifact "http://127.0.0.1:9/app": GET ')
    assert "refused" in message.lower()


def test_http_max_size(server: ArtifactServer, task_dir: Path) -> None:
    url = server.serve("/big", bytes(4096))
    message = fails(artifact(url), task_dir, ArtifactConfig(http_max_size=1000))
    assert message.endswith("download is larger than 1000 bytes (client artifact http_max_size)")
    assert list((task_dir / "local").iterdir()) == []


def test_options_become_query_parameters_and_headers_are_sent(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig) -> None:
    url = server.serve("/bin/tool", BINARY)
    env = {"NOMAD_ALLOC_ID": "5d0c1a3e-aaaa-bbbb-cccc-0123456789ab", "TOKEN": "s3cr3t"}
    art = artifact(url + "?z=last", getter_options={
        "alloc": "${NOMAD_ALLOC_ID}", "checksum": "sha256:" + sha256(BINARY)},
        getter_headers={"Authorization": "Bearer ${TOKEN}", "X-Unknown": "${nope}"})
    fetch(art, task_dir, config, env)
    seen = server.seen[-1]
    assert seen.query == "alloc=5d0c1a3e-aaaa-bbbb-cccc-0123456789ab&z=last"
    assert seen.headers["Authorization"] == "Bearer s3cr3t"
    assert seen.headers["X-Unknown"] == "${nope}"
    assert seen.headers["Accept-Encoding"] == "identity"


def test_interpolated_source_and_destination(server: ArtifactServer, task_dir: Path,
                                             config: ArtifactConfig) -> None:
    server.serve("/v1.2/tool", BINARY)
    env = {"VERSION": "1.2", "node.unique.name": "n1"}
    art = artifact(server.url("/v${VERSION}/tool"), relative_dest="local/${node.unique.name}")
    fetch(art, task_dir, config, env)
    assert (task_dir / "local" / "n1" / "tool").read_bytes() == BINARY


def test_netrc_in_the_agent_environment_is_not_used(
        server: ArtifactServer, task_dir: Path, config: ArtifactConfig, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login agent password leaked\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".netrc").write_text(netrc.read_text())
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    fetch(artifact(server.serve("/bin/tool", BINARY)), task_dir, config)
    assert "Authorization" not in server.seen[-1].headers


def test_redirects_are_followed_within_the_scheme(server: ArtifactServer, task_dir: Path,
                                                  config: ArtifactConfig) -> None:
    server.serve("/real/tool", BINARY)
    server.routes["/moved"] = Route(status=302, location="/real/tool")
    fetch(artifact(server.url("/moved"), getter_options={"filename": "tool"}), task_dir, config)
    assert (task_dir / "local" / "tool").read_bytes() == BINARY


def test_redirect_to_another_scheme_is_refused(server: ArtifactServer, task_dir: Path,
                                               config: ArtifactConfig, host: HostGuard) -> None:
    server.routes["/evil"] = Route(status=302, location="file:///etc/passwd")
    message = fails(artifact(server.url("/evil")), task_dir, config)
    assert "redirect from" in message and "refused: scheme 'file'" in message
    assert list((task_dir / "local").iterdir()) == []
    host.assert_untouched()


def test_allow_list(server: ArtifactServer, task_dir: Path) -> None:
    url = server.serve("/ok/tool", BINARY)
    server.serve("/other/tool", BINARY)
    allowed = ArtifactConfig(allowed_sources=[f"http://127.0.0.1:{server.port}/ok/"])
    fetch(artifact(url), task_dir, allowed)
    assert (task_dir / "local" / "tool").exists()
    message = fails(artifact(server.url("/other/tool"), relative_dest="local/x"),
                    task_dir, allowed)
    assert message.endswith("is not allowed by the client's artifact allowed_sources")
    assert server.hits("/other/tool") == 0


def test_a_redirect_cannot_leave_the_allow_list(server: ArtifactServer, task_dir: Path) -> None:
    server.serve("/secret", BINARY)
    server.routes["/ok/jump"] = Route(status=302, location="/secret")
    allowed = ArtifactConfig(allowed_sources=[f"http://127.0.0.1:{server.port}/ok/"])
    message = fails(artifact(server.url("/ok/jump")), task_dir, allowed)
    assert "/secret is not allowed" in message
    assert server.hits("/secret") == 0


def test_a_retry_skips_what_was_fetched(server: ArtifactServer, task_dir: Path,
                                        config: ArtifactConfig) -> None:
    art = artifact(server.serve("/bin/tool", BINARY))
    assert not fetch(art, task_dir, config).skipped
    again = fetch(art, task_dir, config)
    assert again.skipped and server.hits("/bin/tool") == 1
    changed = artifact(server.url("/bin/tool"), relative_dest="local/other")
    assert not fetch(changed, task_dir, config).skipped
    assert server.hits("/bin/tool") == 2


def test_mode_file_writes_local_basename(server: ArtifactServer, task_dir: Path,
                                         config: ArtifactConfig) -> None:
    url = server.serve("/dl/tool.bin", BINARY)
    result = fetch(artifact(url, getter_mode="file"), task_dir, config)
    assert result.destination == task_dir / "local" / "tool.bin"
    assert result.destination.read_bytes() == BINARY
    fetch(artifact(url, getter_mode="file", relative_dest="local/renamed"), task_dir, config)
    assert (task_dir / "local" / "renamed").read_bytes() == BINARY


def test_mode_file_with_a_one_file_archive(server: ArtifactServer, task_dir: Path,
                                           config: ArtifactConfig) -> None:
    url = server.serve("/tool.gz", gzip.compress(BINARY))
    fetch(artifact(url, getter_mode="file", relative_dest="local/t"), task_dir, config)
    assert (task_dir / "local" / "t").read_bytes() == BINARY
    many = server.serve("/many.tgz", benign_archive("tgz"))
    message = fails(artifact(many, getter_mode="file", relative_dest="local/m"),
                    task_dir, config)
    assert message.endswith('mode "file" needs exactly one file; the artifact holds 3')


def test_mode_dir_needs_an_archive(server: ArtifactServer, task_dir: Path,
                                   config: ArtifactConfig) -> None:
    url = server.serve("/bin/tool", BINARY)
    assert fails(artifact(url, getter_mode="dir"), task_dir, config).endswith(
        'mode "dir" needs a tar or zip archive as its source')
    fetch(artifact(server.serve("/a.zip", benign_archive("zip")), getter_mode="dir",
                   relative_dest="local/d"), task_dir, config)
    assert_benign_tree(task_dir / "local" / "d")


def test_chown_gives_the_files_to_the_task_user(server: ArtifactServer, task_dir: Path,
                                                config: ArtifactConfig) -> None:
    url = server.serve("/a.tar", benign_archive("tar"))
    fetch(artifact(url, chown=True), task_dir, config, owner=(4321, 4322))
    for path in [task_dir / "local" / "bin", task_dir / "local" / "bin" / "tool"]:
        info = path.lstat()
        assert (info.st_uid, info.st_gid) == (4321, 4322)
    other = server.serve("/b.tar", benign_archive("tar"))
    fetch(artifact(other, relative_dest="local/b"), task_dir, config, owner=(4321, 4322))
    assert (task_dir / "local" / "b" / "README").stat().st_uid == os.getuid()


def test_unsupported_getters_fail_clearly(task_dir: Path, config: ArtifactConfig) -> None:
    message = fails(artifact("hg::https://127.0.0.1:9/repo"), task_dir, config)
    assert message == ('failed to download artifact "hg::https://127.0.0.1:9/repo"'
                       ": download not supported for scheme 'hg'")
    assert fails(artifact("s3://bucket/key"), task_dir, config).endswith(
        "download not supported for scheme 's3'")


def test_zstd_is_refused_with_a_hint(server: ArtifactServer, task_dir: Path,
                                     config: ArtifactConfig) -> None:
    url = server.serve("/a.tar.zst", b"whatever")
    with pytest.raises(ArtifactError) as caught:
        fetch(artifact(url), task_dir, config)
    assert "archive type tar.zst is not supported" in caught.value.message
    assert caught.value.hint is not None and "archive = false" in caught.value.hint


def test_cancelling_interrupts_a_blocked_read_and_cleans_up(server: ArtifactServer,
                                                            task_dir: Path) -> None:
    # The server sends 10 bytes, then stalls for 30s; the read timeout is longer still.
    # Without the socket being cut, the worker would outlive the cancel grace period
    # and its staging dir would still be there.
    server.routes["/slow"] = Route(slow=True)
    config = ArtifactConfig(http_read_timeout="60s")

    async def scenario() -> None:
        task = asyncio.create_task(fetch_artifact(artifact(server.url("/slow")), task_dir, {},
                                                  config))
        while not leftovers(task_dir):
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert leftovers(task_dir) == []
        assert not server.stopping.is_set()

    asyncio.run(scenario())


def test_decompression_single_file_limit(server: ArtifactServer, task_dir: Path) -> None:
    payload = bytes(3 << 20)
    config = ArtifactConfig(decompression_size_limit="1MiB")
    for kind, data in (("gz", gzip.compress(payload)), ("bz2", bz2.compress(payload)),
                       ("xz", lzma.compress(payload))):
        url = server.serve(f"/zeros.{kind}", data)
        message = fails(artifact(url), task_dir, config)
        assert message.endswith("archive expands beyond 1048576 bytes "
                                "(client artifact decompression_size_limit)")
    assert list((task_dir / "local").iterdir()) == []
