"""What differs between the sessions the exec channel serves on an allocation's routes
(`exec`, `cp`, `debug`), one `SessionKind` each: the route, how its query is read,
whether a terminal allocation is served, the default command and what the local
session runs. Everything else (handshake, authorization, forwarding, `serve_session`)
is `route.py`'s, the same for every kind; a job action is an `exec` session on its own
route (`action.py`)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from starlette.datastructures import QueryParams
from starlette.websockets import WebSocket

from caravan.client.audit import AuditedSession
from caravan.client.client import Client
from caravan.errors import CaravanError
from caravan.execproto.copy import CopyRequest
from caravan.http.query import parse_bool


@dataclass(frozen=True)
class ExecQuery:
    task: str
    command: list[str]
    tty: bool
    params: QueryParams
    path: str = ""  # where a relay opens the same session on another agent
    user: str = ""  # `alloc exec -u`: the driver decides whether it may (allow_exec_users)
    action: str = ""  # a job action: the command is the task's action's (action.py)
    job_id: str = ""  # with an action: the job the allocation must belong to
    # `alloc cp` (the `cp` route): the command is the copy helper, `command` describes it.
    copy: CopyRequest | None = None


def parse_query(params: QueryParams, path: str = "") -> ExecQuery:
    """The query as Nomad's agent reads it before upgrading (errors are plain HTTP)."""
    try:
        command = json.loads(params.get("command", "")) or []
    except ValueError as err:
        raise CaravanError(f"failed to marshal command into json: {err}") from None
    if not isinstance(command, list) or not all(isinstance(c, str) for c in command):
        raise CaravanError("failed to marshal command into json: not an array of strings")
    return ExecQuery(params.get("task", ""), command, parse_bool(params.get("tty"), "tty"),
                     params, path, user=params.get("user", ""))


# Serves the session with this agent's client, once authorized:
# (ws, client, namespace, alloc ID, query, binary, the session's audit record).
ServeLocal = Callable[[WebSocket, Client, str, str, ExecQuery, bool, AuditedSession],
                      Awaitable[None]]
ParseQuery = Callable[[QueryParams, str], ExecQuery]


@dataclass(frozen=True)
class SessionKind:
    route: str                  # `/v1/client/allocation/{alloc_id}/<route>`
    serves_terminal: bool       # whether a complete, failed or lost allocation is served
    default_command: list[str]  # [] when the command is required
    serve_local: ServeLocal
    parse: ParseQuery = parse_query
    records_terminal: bool = True  # False: its bytes are no terminal (cp): counted only
