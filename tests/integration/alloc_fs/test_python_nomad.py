"""python-nomad's client.ls/cat/read_at/stat/stream_file, unchanged, against a real agent."""

from __future__ import annotations

import base64
import threading
from urllib.parse import urlparse

import nomad
import pytest

from tests.integration.alloc_fs.fixture import FsAllocs
from tests.integration.alloc_fs.test_routes import frames

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def api(fs: FsAllocs) -> nomad.Nomad:
    url = urlparse(fs.agent.address)
    return nomad.Nomad(host=url.hostname, port=url.port, timeout=10)


def test_ls_stat_cat_and_read_at(api: nomad.Nomad, fs: FsAllocs) -> None:
    listing = api.client.ls.list_files(fs.raw, path="/main/local")
    assert "hello.txt" in {e["Name"] for e in listing}
    assert api.client.stat.stat_file(fs.raw, path="/main/local/hello.txt")["Size"] == 16
    assert api.client.cat.read_file(fs.raw, path="/main/local/hello.txt") == \
        "hello from main\n"
    assert api.client.read_at.read_file_offset(fs.raw, 6, 4, path="/main/local/hello.txt") \
        == "from"


def test_stream_file_follows_until_the_file_is_deleted(api: nomad.Nomad, fs: FsAllocs) -> None:
    # stream_file sends no follow flag, so (as in Nomad) the stream follows; it ends when
    # the file goes away. The test writes the file straight into the raw_exec alloc dir.
    target = fs.agent.data_dir / "alloc" / fs.raw / "alloc" / "gone.txt"
    target.write_bytes(b"one\ntwo\n")
    remover = threading.Timer(1.5, target.unlink)
    remover.start()
    try:
        body = api.client.stream_file.stream(fs.raw, 4, "start", path="/alloc/gone.txt")
    finally:
        remover.join()
    got = frames(body.encode())
    assert b"".join(base64.b64decode(f["Data"]) for f in got if "Data" in f) == b"two\n"
    assert got[-1]["FileEvent"] == "file deleted"
