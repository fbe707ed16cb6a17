"""`alloc exec`'s path stays lean: a CLI process pays for what it imports, and httpx,
pydantic, asyncio and websockets (with importlib.metadata) were most of its time."""

from __future__ import annotations

import socket
import subprocess
import sys

HEAVY = ("httpx", "pydantic", "asyncio", "websockets", "importlib.metadata",
         "caravan.structs", "caravan.api.client")


def test_the_exec_command_imports_none_of_the_heavy_modules() -> None:
    with socket.socket() as closed:  # a port nobody listens on: the lookup is refused
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    code = ("import sys\n"
            "from caravan.cli.main import main\n"
            f"code = main(['alloc', 'exec', '-address', 'http://127.0.0.1:{port}', "
            "'abcd1234', 'true'])\n"
            f"print(code, sorted(m for m in {HEAVY!r} if m in sys.modules))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, stdin=subprocess.DEVNULL)
    assert out.stdout.strip() == "1 []", (out.stdout, out.stderr)
    assert out.stderr.startswith("Error querying allocation: connection refused: is an "
                                 f"agent running at http://127.0.0.1:{port}?")
