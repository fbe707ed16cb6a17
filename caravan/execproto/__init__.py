"""The exec channel's shared vocabulary: pure definitions both ends import.

`alloc exec` crosses every layer: the client library (`caravan.api.exec`) speaks to an
agent's route (`caravan.http.alloc_exec`), which serves the session from its own client
or relays it to the node's agent, where a driver runs the command
(`caravan.client.drivers.execsession`). The wire format they share is defined once,
here, below all of them: this package imports nothing from caravan but `errors`, so
the api may use it without reaching into server-side code, and `structs` stays a set
of models.

    frames.py        Nomad's JSON frames and caravan's `caravan.exec.binary` subprotocol:
                     stdin / stdout / stderr / tty_size / exit, `StdinData`,
                     `TerminalSize`, `ExecOutput`, encode and decode for both sides
    copy.py          `alloc cp`'s `CopyRequest` (direction and path in the query); the
                     tar rides stdin/stdout frames

Features that ride the same authorized, forwardable channel add their own frames as
one module each beside `frames.py` (port-forward, file copy, recording as asciicast,
fan-out over several allocations, job actions, debug copies), with the matching
route module beside the others in `caravan/http/alloc_exec/`. Nothing here does I/O.
"""
