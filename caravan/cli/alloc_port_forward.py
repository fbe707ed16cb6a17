"""`caravan alloc port-forward [options] <allocation> [LOCAL:]REMOTE ...`: local ports that
lead to ports of an allocation, kubectl's shape and lines.

Each accepted connection gets its own forwarded connection (`caravan.api.port_forward`),
so connections run side by side and one that fails (nothing listens on the remote
port, say) is reported on stderr while the listeners keep running. Runs until SIGINT
or SIGTERM.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass

from caravan.api import Client
from caravan.api.errors import APIConnectionError, APIError
from caravan.api.exec import node_http_address
from caravan.api.port_forward import PortForwardError, carry, port_forward
from caravan.cli.common import CLIENT_OPTIONS_HELP, Ui, client_flag_set, make_client
from caravan.cli.lookup import invalid_task_message, resolve_alloc
from caravan.errors import CaravanError, CommandFailed, UsageError
from caravan.execproto.portforward import parse_remote
from caravan.structs import Allocation

HELP = """
Usage: caravan alloc port-forward [options] <allocation> [LOCAL:]REMOTE ...

  Listens on local ports and carries each connection to a port of the allocation
  on its node: REMOTE is one of the ports the allocation holds (a number or the
  label from its job's network block). LOCAL defaults to REMOTE when REMOTE is a
  number; ':REMOTE' or a label alone picks a free local port.

    caravan alloc port-forward eb17e557 8080:23456 :http

  With ACLs, the token needs 'alloc-port-forward' in the allocation's namespace
  ('alloc-exec' does not grant it, nor it 'alloc-exec').
""" + CLIENT_OPTIONS_HELP + """
Port-forward Specific Options:

  -task <task-name>
    Forward only while this task runs (default: while the allocation runs).

  -local-address <ip>
    The local address to listen on (default 127.0.0.1). (-address is the
    agent's address, as in every command.)
"""


@dataclass(frozen=True)
class PortSpec:
    local: int
    remote: int | str


def parse_spec(text: str) -> PortSpec:
    """`[LOCAL:]REMOTE` as kubectl reads it; LOCAL 0 means a free port."""
    local_text, sep, remote_text = text.rpartition(":")
    try:
        remote = parse_remote(remote_text)
    except CaravanError as err:
        raise UsageError(f"invalid port specification {text!r}: {err}") from None
    if not sep:
        return PortSpec(remote if isinstance(remote, int) else 0, remote)
    if not local_text:
        return PortSpec(0, remote)
    if not local_text.isdigit() or not 0 <= int(local_text) <= 65535:
        raise UsageError(f"invalid port specification {text!r}: the local port must be a "
                         "number 0-65535")
    return PortSpec(int(local_text), remote)


def run(args: list[str], ui: Ui | None = None) -> int:
    ui = ui or Ui()
    flags = client_flag_set()
    flags.string_flag("task")
    flags.string_flag("local-address", "127.0.0.1")
    parsed = flags.parse(args)
    if len(parsed.args) < 2:
        raise UsageError("An allocation ID and at least one port are required")
    specs = [parse_spec(text) for text in parsed.args[1:]]
    with make_client(parsed) as client:
        alloc = resolve_alloc(client, parsed.args[0], False, ui.now_ns())
        task = parsed.get_str("task")
        if task and (problem := invalid_task_message(alloc, task)):
            raise CommandFailed(problem)
        asyncio.run(_forward_all(client, alloc, task, parsed.get_str("local-address"),
                                 specs, ui))
    return 0


async def _forward_all(client: Client, alloc: Allocation, task: str, address: str,
                       specs: list[PortSpec], ui: Ui) -> None:
    # The node's own address, looked up once: each connection dials it directly.
    node = await node_http_address(client, alloc.node_id) if alloc.node_id else None
    servers = []
    for spec in specs:
        servers.append(await _listen(client, alloc, task, address, spec, node, ui))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for server in servers:
            server.close()


async def _listen(client: Client, alloc: Allocation, task: str, address: str,
                  spec: PortSpec, node: str | None, ui: Ui) -> asyncio.Server:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        local = writer.get_extra_info("sockname")[1]
        ui.output(f"Handling connection for {local}")
        try:
            async with port_forward(client, alloc.id, spec.remote, task=task,
                                    node_address=node) as conn:
                await carry(conn, reader, writer)
        except* (PortForwardError, APIError, APIConnectionError, OSError) as group:
            ui.error(f"error forwarding {local} -> {spec.remote}: {group.exceptions[0]}")
        finally:
            writer.close()

    try:
        server = await asyncio.start_server(handle, address, spec.local)
    except OSError as err:
        raise CommandFailed(f"Unable to listen on port {spec.local}: {err}") from None
    for sock in server.sockets:
        host, port = sock.getsockname()[:2]
        host = f"[{host}]" if ":" in host else host
        ui.output(f"Forwarding from {host}:{port} -> {spec.remote}")
    return server
