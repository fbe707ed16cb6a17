"""/v1/client/fs/{ls,stat,cat,readat,stream} against a real agent, exec and raw_exec."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.integration.alloc_fs.fixture import FsAllocs

pytestmark = pytest.mark.integration
TASKS = ["web", "raw"]


def _alloc(fs: FsAllocs, which: str) -> str:
    return fs.web if which == "web" else fs.raw


def frames(body: bytes) -> list[dict[str, Any]]:
    """Nomad's stream body: JSON objects one after another."""
    decoder, text, out, at = json.JSONDecoder(), body.decode(), [], 0
    while at < len(text):
        frame, at = decoder.raw_decode(text, at)
        out.append(frame)
    return out


@pytest.mark.parametrize("which", TASKS)
def test_ls_lists_the_alloc_dir_and_a_task_dir(fs: FsAllocs, which: str) -> None:
    top = fs.get("ls", _alloc(fs, which), path="/")
    assert top.status_code == 200, top.text
    names = {e["Name"]: e for e in top.json()}
    assert {"alloc", "main"} <= set(names)
    assert names["alloc"]["IsDir"] is True
    assert names["alloc"]["FileMode"].startswith("d")
    local = {e["Name"]: e for e in fs.get("ls", _alloc(fs, which), path="main/local").json()}
    assert local["hello.txt"]["Size"] == len(f"hello from main\n")
    assert local["hello.txt"]["FileMode"] == "-rw-r--r--"
    assert local["shadow"]["FileMode"].startswith("L")
    assert set(local["hello.txt"]) == {"Name", "IsDir", "Size", "FileMode", "ModTime"}


@pytest.mark.parametrize("which", TASKS)
def test_stat_cat_and_readat(fs: FsAllocs, which: str) -> None:
    alloc = _alloc(fs, which)
    info = fs.get("stat", alloc, path="/main/local/hello.txt").json()
    assert info["Name"] == "hello.txt" and info["IsDir"] is False
    assert info["ContentType"].startswith("text/plain")
    assert fs.get("cat", alloc, path="main/local/hello.txt").text == "hello from main\n"
    part = fs.get("readat", alloc, path="main/local/hello.txt", offset=6, limit=4)
    assert part.status_code == 200 and part.text == "from"
    assert fs.get("readat", alloc, path="main/local/hello.txt", offset=11).text == "main\n"


@pytest.mark.parametrize("which", TASKS)
def test_stream_without_follow_frames_the_file(fs: FsAllocs, which: str) -> None:
    r = fs.get("stream", _alloc(fs, which), path="main/local/hello.txt", follow="false")
    assert r.status_code == 200, r.text
    got = frames(r.content)
    assert b"".join(base64.b64decode(f["Data"]) for f in got if "Data" in f) == \
        b"hello from main\n"
    assert got[-1]["File"] == "main/local/hello.txt" and got[-1]["Offset"] == 16
    tail = fs.get("stream", _alloc(fs, which), path="main/local/hello.txt", follow="false",
                  origin="end", offset=5)
    assert base64.b64decode(frames(tail.content)[0]["Data"]) == b"main\n"


@pytest.mark.parametrize("which", TASKS)
def test_stream_follow_sees_new_lines(fs: FsAllocs, which: str) -> None:
    url = fs.url("stream", _alloc(fs, which))
    seen = b""
    params = {"path": "alloc/ticks.main", "origin": "end", "offset": "0"}
    with httpx.stream("GET", url, params=params, timeout=10) as r:
        assert r.status_code == 200
        decoder = json.JSONDecoder()
        buffer = ""
        for chunk in r.iter_text():
            buffer += chunk
            while buffer:
                try:
                    frame, end = decoder.raw_decode(buffer)
                except json.JSONDecodeError:
                    break
                buffer = buffer[end:]
                seen += base64.b64decode(frame.get("Data", ""))
            if seen.count(b"\n") >= 2:
                break
    assert seen.startswith(b"tick-") and seen.count(b"tick-") >= 2


@pytest.mark.parametrize(("route", "params", "status", "message"), [
    ("cat", {}, 400, "must provide a file name"),
    ("cat", {"path": "main/local/nope"}, 404, "no such file or directory"),
    ("cat", {"path": "main/local"}, 400, "is a directory"),
    ("cat", {"path": "../etc/passwd"}, 400, "escapes the alloc directory"),
    ("stream", {"path": "main/local/hello.txt", "origin": "middle"}, 400,
     "origin must be start or end"),
    ("readat", {"path": "main/local/hello.txt", "offset": "x"}, 400, "error parsing offset"),
    ("readat", {"path": "main/local/hello.txt", "limit": "-1"}, 400, "must not be negative"),
    ("ls", {"path": "main/local/hello.txt"}, 400, "directory"),
    ("stat", {"path": "main/nope"}, 404, "no such file or directory"),
])
def test_errors_come_before_the_body(fs: FsAllocs, route: str, params: dict[str, str],
                                     status: int, message: str) -> None:
    r = fs.get(route, fs.web, **params)
    assert r.status_code == status, r.text
    assert message in r.text


def test_unknown_alloc_is_not_found(fs: FsAllocs) -> None:
    r = fs.get("ls", "00000000-0000-0000-0000-000000000000", path="/")
    assert r.status_code == 404


@pytest.mark.parametrize("which", TASKS)
def test_link_inside_the_alloc_dir_is_listed_but_not_followed(fs: FsAllocs, which: str) -> None:
    alloc = _alloc(fs, which)
    assert fs.get("stat", alloc, path="main/local/inner").json()["FileMode"].startswith("L")
    r = fs.get("cat", alloc, path="main/local/inner")
    assert r.status_code == 400 and "symlink" in r.text
