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
    action.py    Nomad's job actions: `/v1/job/<id>/action` (a session whose command is
                 the task's action) and the `/v1/job/<id>/actions` list

The wire format is `caravan.execproto.frames`, shared with the client library.

Next on this channel, each a module here (and its frames beside `execproto/frames.py`):
port-forward (a route with its own capability, served by a local session whose runner
dials the port instead of running a command, relayed like exec); file copy (a runner
that produces or consumes a tar as the task's user); recording (a tap on a local
session's frames, written as asciicast v2); debug copies of dead tasks.

Every session, whatever its kind, starts and ends in `route.serve_session` (its
`ExecQuery` names the task, command, tty, `-u` user and job action): the place to hook
anything that must see each session once. Fan-out (`alloc exec -all`) is the CLI's
(`cli/alloc_exec_all.py`): one ordinary session per allocation, so nothing here changes.
"""

from caravan.http.alloc_exec import action, route

# The `/v1/job/<id>/actions` list must come before the jobs routes' `/v1/job/<id>` catch-all.
routes = [*action.routes, *route.routes]

__all__ = ["routes"]
