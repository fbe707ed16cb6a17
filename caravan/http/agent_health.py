"""`GET /v1/agent/health[?type=client|server]`: Nomad's health answer for load balancers.

    {"client": {"ok": true, "message": "ok"}, "server": {"ok": true, "message": "ok"}}

200 when every part asked about is ok, else 500 with the same body. A client is ok
when it knows a server; a server when the cluster has a leader. `type` names a part
this agent does not run: that part answers "client not enabled" (or server). No
token is needed, as in Nomad.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from caravan.http.context import AgentContext, agent_of

Part = dict[str, object]


async def health(request: Request) -> Response:
    ctx = agent_of(request)
    asked = request.query_params.getlist("type")
    found: dict[str, Part] = {}
    for part in ("client", "server"):
        if asked and part not in asked:
            continue
        runs = ctx.client if part == "client" else ctx.server
        if runs is not None:
            found[part] = _client(ctx) if part == "client" else _server(ctx)
        elif asked:
            found[part] = {"ok": False, "message": f"{part} not enabled"}
    ok = all(p["ok"] for p in found.values())
    return Response(json.dumps(found), status_code=200 if ok else 500,
                    media_type="application/json")


def _client(ctx: AgentContext) -> Part:
    known = ctx.client.servers() if ctx.client is not None else []
    return {"ok": True, "message": "ok"} if known else \
        {"ok": False, "message": "no known servers"}


def _server(ctx: AgentContext) -> Part:
    leadership = ctx.server.leadership if ctx.server is not None else None
    if leadership is not None and leadership.leader is None:
        return {"ok": False, "message": "no leader"}
    return {"ok": True, "message": "ok"}


routes = [Route("/v1/agent/health", health, methods=["GET"])]
