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
    port_forward.py  `/port-forward`: one TCP connection per WebSocket to a port the
                 allocation holds (capability `alloc-port-forward`), local or relayed
    tunnel.py    a forwarded connection on the node: socket <-> WebSocket, half-close
    copy.py      `alloc cp` (the `cp` route beside `exec`, same authorization and relay): a
                 local session whose runner is the driver's copy helper; `copy_session`
                 is where a copy session starts and ends

The wire format is `caravan.execproto.frames`, shared with the client library.

Still to come on this channel, each a module here: debug copies of dead tasks.
"""

from caravan.http.alloc_exec import port_forward, route

routes = [*route.routes, *port_forward.routes]

__all__ = ["routes"]
