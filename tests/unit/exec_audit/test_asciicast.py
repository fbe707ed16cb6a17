"""asciicast v2: what the recorder writes replays as exactly the bytes that were sent."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from caravan.cli.exec_replay import play
from caravan.client.audit.recorder import Recorder
from caravan.execproto.asciicast import AsciicastError, Event, TextStream, decode, event_bytes


@given(st.lists(st.binary(max_size=64), max_size=20))
def test_any_bytes_in_any_chunks_come_back_exactly(chunks: list[bytes]) -> None:
    stream = TextStream()
    texts = [stream.feed(c) for c in chunks] + [stream.feed(b"", final=True)]
    events = [Event(0.0, "o", t) for t in texts if t]
    lines = [json.loads(e.encode()) for e in events]  # through JSON, as in the file
    assert b"".join(event_bytes(Event(*line)) for line in lines) == b"".join(chunks)


def test_a_character_split_across_chunks_lands_whole_in_one_event() -> None:
    stream = TextStream()
    assert (stream.feed(b"caf\xc3"), stream.feed(b"\xa9!")) == ("caf", "\u00e9!")


def _recorder(tmp_path: Path, record_input: bool) -> tuple[Recorder, Path]:
    path = tmp_path / "s.cast"
    return Recorder(path, 1_700_000_000 * 10**9, 100.0, record_input, "t"), path


def test_the_header_takes_the_first_size_and_input_is_left_out(tmp_path: Path) -> None:
    rec, path = _recorder(tmp_path, record_input=False)
    rec.resize(100.1, 120, 40)
    rec.input(100.2, b"password\n")
    rec.output(100.5, "stdout", b"$ ")
    rec.resize(101.0, 80, 20)
    rec.close()
    header, events = decode(path.read_text())
    assert (header.width, header.height, header.timestamp) == (120, 40, 1_700_000_000)
    assert [(round(e.time, 3), e.code, e.data) for e in events] == [
        (0.5, "o", "$ "), (1.0, "r", "80x20")]


def test_input_is_recorded_when_asked(tmp_path: Path) -> None:
    rec, path = _recorder(tmp_path, record_input=True)
    rec.input(100.2, b"ls\r")
    rec.close()
    header, events = decode(path.read_text())
    assert (header.width, header.height) == (80, 24)  # no size came
    assert [(e.code, e.data) for e in events] == [("i", "ls\r")]


def test_a_recorder_never_writes_through_an_existing_file_or_link(tmp_path: Path) -> None:
    (tmp_path / "target").write_text("keep")
    (tmp_path / "s.cast").symlink_to(tmp_path / "target")
    with pytest.raises(FileExistsError):
        _recorder(tmp_path, record_input=False)
    assert (tmp_path / "target").read_text() == "keep"


@pytest.mark.parametrize("text, where", [
    ("", "no header"),
    ('{"version": 1, "width": 1, "height": 1}\n', "line 1"),
    ('{"version": 2, "width": 80, "height": 24}\n[0.1, "x", "a"]\n', "line 2"),
    ('{"version": 2, "width": 80, "height": 24}\n[0.1, "o"]\n', "line 2"),
])
def test_a_bad_recording_names_its_line(text: str, where: str) -> None:
    with pytest.raises(AsciicastError, match=where):
        decode(text)


def test_replay_waits_each_pause_scaled_and_plays_only_output() -> None:
    events = [Event(0.5, "o", "a"), Event(0.7, "i", "secret"), Event(2.5, "r", "1x1"),
              Event(4.5, "o", "\udcff")]
    out: list[bytes] = []
    pauses: list[float] = []
    play(events, out.append, pauses.append, speed=2.0, max_wait=0)
    assert (out, pauses) == ([b"a", b"\xff"], [0.25, 2.0])
    pauses.clear()
    play(events, out.append, pauses.append, speed=1.0, max_wait=1.0)
    assert pauses == [0.5, 1.0]
    pauses.clear()
    play(events, out.append, pauses.append, speed=0, max_wait=0)
    assert pauses == []


def test_a_recording_stops_at_its_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "s.cast"
    rec = Recorder(path, 0, 0.0, False, "", max_bytes=200)
    for n in range(50):
        rec.output(float(n), "stdout", b"line %d\n" % n)
    rec.close()
    assert rec.truncated
    header, events = decode(path.read_text())
    assert 0 < len(events) < 50 and events[0].data == "line 0\n"
    assert len(path.read_bytes()) < 200 + len(header.encode())
