"""The CLI's lean transport for `alloc exec`: the standard library only.

A CLI process lives for one command, so what it imports is most of what it costs:
httpx, pydantic, asyncio and websockets (whose version module loads importlib.metadata)
took 250-500 ms of a `caravan alloc exec <alloc> true` whose session takes 30. This
package talks to the agent with sockets and JSON dicts, and runs the session on one
thread with a selector (stdin gets a reader thread, since a plain file cannot be polled):

    agent.py       Agent: address, token, namespace, region and TLS from flags and
                   environment, as caravan.api.Client reads them; GET -> JSON over one
                   keep-alive HTTP/1.1 connection; errors are caravan.api.errors'
    websocket.py   a client WebSocket (RFC 6455) over such a connection
    session.py     the exec session at the terminal: frames in `caravan.execproto`

Programs use `caravan.api.exec` (asyncio, typed); the wire format both speak is the
one in `caravan.execproto.frames`.
"""
