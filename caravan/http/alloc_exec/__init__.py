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
    kind.py      what differs between the sessions served here (`SessionKind`): the path,
                 whether terminal allocations are served, what the local session runs
    debug.py     `/debug`: `alloc debug`, a copy of an exited task (exec's query,
                 authorization and relay; its own local session)

The wire format is `caravan.execproto.frames`, shared with the client library.

Next on this channel, each a module here (and its frames beside `execproto/frames.py`):
port-forward (a route with its own capability, served by a local session whose runner
dials the port instead of running a command, relayed like exec); file copy (a runner
that produces or consumes a tar as the task's user); recording (a tap on a local
session's frames, written as asciicast v2); fan-out (one client session over several
allocations' sessions, opened through `relay`); job actions (a route that resolves an
action to a command, then runs exec's local session).
"""

from caravan.http.alloc_exec.route import routes

__all__ = ["routes"]
