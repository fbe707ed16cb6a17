"""Hostile tar streams, built member by member (what `tar` itself would never write)."""

from __future__ import annotations

import io
import stat
import tarfile

Member = tuple[str, str, bytes | str, int]  # (kind, name, data or link target, mode)


def build(*members: Member) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for kind, name, payload, mode in members:
            info = tarfile.TarInfo(name)
            info.mode = mode
            if kind == "file":
                assert isinstance(payload, bytes)
                info.size = len(payload)
                tar.addfile(info, io.BytesIO(payload))
                continue
            info.type = {"dir": tarfile.DIRTYPE, "sym": tarfile.SYMTYPE,
                         "hard": tarfile.LNKTYPE, "chr": tarfile.CHRTYPE,
                         "fifo": tarfile.FIFOTYPE}[kind]
            if kind in ("sym", "hard"):
                assert isinstance(payload, str)
                info.linkname = payload
            if kind == "chr":
                info.devmajor, info.devminor = 1, 3  # /dev/null's numbers
            tar.addfile(info)
    return buf.getvalue()


BIG_FIRST: Member = ("file", "first-ok.bin", b"\0" * (2 << 20), 0o644)

# (test id, the members after a valid 2 MiB file, what the refusal names)
ESCAPES: list[tuple[str, list[Member], bytes]] = [
    ("absolute-path", [("file", "/local/escaped-abs", b"pwned", 0o644)], b"absolute path"),
    ("dotdot", [("file", "../escaped-dotdot", b"pwned", 0o644)], b"'..' in its path"),
    ("dotdot-inside", [("file", "a/../../escaped-dd2", b"pwned", 0o644)], b"'..'"),
    ("symlink-out", [("sym", "out", "../", 0o777)], b"points outside"),
    ("symlink-absolute", [("sym", "abs", "/local", 0o777)], b"points outside"),
    ("write-through-symlink", [("dir", "d", b"", 0o755), ("sym", "d/up", "..", 0o777),
                               ("file", "d/up/through", b"pwned", 0o644)],
     b"goes through a symlink"),
    ("symlink-chain-out", [("dir", "a", b"", 0o755), ("sym", "a/b", "..", 0o777),
                           ("sym", "a/b/c", "..", 0o777)], b"goes through a symlink"),
    ("hardlink-out", [("hard", "victim-link", "../victim", 0o644)], b"'..'"),
    ("hardlink-absolute", [("hard", "passwd", "/etc/passwd", 0o644)], b"absolute path"),
    ("hardlink-not-in-tar", [("hard", "x", "victim", 0o644)], b"not a file earlier"),
    ("device-node", [("chr", "null", b"", 0o666)], b"no devices"),
    ("fifo", [("fifo", "pipe", b"", 0o644)], b"no devices, fifos"),
    ("setuid", [("file", "suid", b"#!/bin/sh\n", 0o4755)], b"setuid/setgid"),
    ("setgid-dir", [("dir", "sgid", b"", stat.S_ISGID | 0o755)], b"setuid/setgid"),
    ("duplicate", [("file", "first-ok.bin", b"again", 0o644)], b"appears twice"),
]
