"""The exec channel, the agent's side: `GET /v1/client/allocation/{alloc_id}/exec`.

One module per part, so each new feature on this channel is one more module beside
these, reusing the parts it shares rather than a copy of them:

    route.py     the WebSocket route: the query, the `ws_handshake` token, authorization in
                 Nomad's order, and where the session runs: here or relayed
    local.py     a session served by this agent's client: reader │ runner │ writer, one
                 writer; the driver runs the command (`client.drivers.execsession`)
    relay.py     a session relayed to the agent of the node that runs the allocation,
                 frames passed both ways unchanged
    closing.py   how every session ends: an error becomes a close frame with a reason
    audit.py     the one way a session served here is audited (`audited(...)`: the caller's
                 token, then `Client.audit_session`; see `caravan.client.audit`)
    kind.py      what differs between the sessions on an allocation's routes
                 (`SessionKind`: exec, cp, debug): the route, how the query is read,
                 whether terminal allocations are served, what the local session runs
    action.py    Nomad's job actions: `/v1/job/<id>/action` (an exec session whose command
                 is the task's action) and the `/v1/job/<id>/actions` list
    copy.py      `alloc cp` (the `cp` kind: exec's authorization and relay, a local
                 session whose runner is the driver's copy helper)
    debug.py     `/debug`: `alloc debug`, a copy of an exited task (exec's query,
                 authorization and relay; its own local session)
    port_forward.py  `/port-forward`: one TCP connection per WebSocket to a port the
                 allocation holds (capability `alloc-port-forward`), local or relayed
    tunnel.py    a forwarded connection on the node: socket <-> WebSocket, half-close

The wire format is `caravan.execproto.frames`, shared with the client library.

Every exec-channel session (exec, `-u`, cp, debug, job actions) starts and ends in
`route.serve_session`, which audits it (`audit.py`) and runs its `SessionKind`'s local
session; port-forward's connections are audited in `port_forward.py`. Fan-out (`alloc exec
-all`) is the CLI's (`cli/alloc_exec_all.py`): one ordinary session per allocation.
"""

from caravan.http.alloc_exec import action, port_forward, route

# The `/v1/job/<id>/actions` list must come before the jobs routes' `/v1/job/<id>` catch-all.
routes = [*action.routes, *route.routes, *port_forward.routes]

__all__ = ["routes"]
