"""`client.alloc_fs`: a task's log stream (`/v1/client/fs/logs/<alloc>`) and Nomad's alloc
fs routes (`ls`, `stat`, `cat`, `readat`, `stream`), frames decoded.

The agent sends concatenated JSON objects, `{"Offset","Data"(base64),"File","FileEvent"}`,
with `{}` heartbeats while a followed log is idle. `FrameDecoder` is the pure part:
bytes in, frames out, whatever the chunk boundaries.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Generator, Iterator
from typing import Any

import httpx

from caravan.api._base import SubAPI
from caravan.api.errors import APIConnectionError, APIDecodeError
from caravan.api.models import LogFrame
from caravan.api.query import QueryOptions, go_bool, merge, path_id

_JSON = json.JSONDecoder()


class FrameDecoder:
    """Incremental decoder for a stream of concatenated JSON log frames."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")()
        self._text = ""

    def feed(self, chunk: bytes) -> list[LogFrame]:
        """Every frame completed by `chunk`; a partial frame waits for the next chunk."""
        text = self._text + self._utf8.decode(chunk)
        frames: list[LogFrame] = []
        pos = 0
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            try:
                obj, pos_end = _JSON.raw_decode(text, pos)
            except json.JSONDecodeError:
                break  # incomplete: the rest of this frame is in a later chunk
            if not isinstance(obj, dict):
                raise ValueError(f"log frame is not an object: {obj!r}")
            frames.append(LogFrame.from_wire(obj))
            pos = pos_end
        self._text = text[pos:]
        return frames

    def close(self) -> None:
        """End of stream: anything left over is a truncated or malformed frame."""
        rest = self._text + self._utf8.decode(b"", final=True)
        if rest.strip():
            raise ValueError(f"truncated log frame: {rest[:80]!r}")


class AllocFS(SubAPI):
    def logs(
        self, alloc_id: str, task: str, type: str = "stdout", *, follow: bool = False,
        origin: str = "start", offset: int = 0, q: QueryOptions | None = None,
    ) -> Generator[LogFrame, None, None]:
        """Frames of one task's stdout or stderr, heartbeats included.

        The request is made on the first `next()`; API errors raise from there.
        With `follow`, the iterator ends only when the agent closes the stream or
        the caller stops iterating (closing the generator closes the connection).
        """
        path = f"/v1/client/fs/logs/{path_id(alloc_id)}"
        q = merge(q, task=task, type=type, follow=go_bool(follow), origin=origin,
                  offset=str(offset), plain=go_bool(False))
        yield from self._frames(path, q)

    def ls(self, alloc_id: str, path: str = "/",
             q: QueryOptions | None = None) -> list[dict[str, Any]]:
        """Nomad's AllocFileInfo of each entry of a directory of the alloc dir."""
        data, _ = self._client.query(f"/v1/client/fs/ls/{path_id(alloc_id)}",
                                     merge(q, path=path))
        return list(data or [])

    def stat(self, alloc_id: str, path: str, q: QueryOptions | None = None) -> dict[str, Any]:
        data, _ = self._client.query(f"/v1/client/fs/stat/{path_id(alloc_id)}",
                                     merge(q, path=path))
        return dict(data)

    def read_at(self, alloc_id: str, path: str, offset: int = 0, limit: int = 0,
                q: QueryOptions | None = None) -> Iterator[bytes]:
        """The file's bytes from `offset`, `limit` of them (all with 0), as they arrive."""
        route = f"/v1/client/fs/readat/{path_id(alloc_id)}"
        with self._client.stream(route, merge(q, path=path, offset=str(offset),
                                              limit=str(limit))) as response:
            try:
                yield from response.iter_bytes()
            except httpx.TransportError as exc:
                raise APIConnectionError(self._client.address, str(exc) or "stream closed") \
                    from exc

    def stream(self, alloc_id: str, path: str, *, origin: str = "start", offset: int = 0,
               follow: bool = True, q: QueryOptions | None = None,
               ) -> Generator[LogFrame, None, None]:
        """Frames of a file of the alloc dir, heartbeats included (see `logs`)."""
        route = f"/v1/client/fs/stream/{path_id(alloc_id)}"
        yield from self._frames(route, merge(q, path=path, origin=origin, offset=str(offset),
                                             follow=go_bool(follow)))

    def _frames(self, path: str, q: QueryOptions) -> Generator[LogFrame, None, None]:
        decoder = FrameDecoder()
        with self._client.stream(path, q) as response:
            try:
                for chunk in response.iter_bytes():
                    yield from decoder.feed(chunk)
                decoder.close()
            except ValueError as exc:
                raise APIDecodeError(path, str(exc)) from exc
            except httpx.TransportError as exc:  # the stream broke (or was closed) midway
                raise APIConnectionError(self._client.address, str(exc) or "stream closed") \
                    from exc
