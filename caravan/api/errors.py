"""Errors the client library raises: a non-2xx answer, or no answer at all.

    CaravanError                    (caravan.errors)
     ├── APIError                   the agent answered with a non-2xx status
     ├── APIConnectionError         the agent could not be reached
     └── APIDecodeError             a 2xx answer whose body is not the expected shape

`str(APIError)` is Nomad's CLI text, `Unexpected response code: <code> (<body>)`,
so callers can prefix it with what they were doing and print it as Nomad does.
"""

from __future__ import annotations

from caravan.errors import CaravanError


class APIError(CaravanError):
    """A non-2xx response; `status` is the HTTP status, `body` the plain-text error."""

    def __init__(self, status: int, body: str) -> None:
        body = body.strip()
        super().__init__(f"Unexpected response code: {status} ({body})")
        self.status = status
        self.body = body


class APIConnectionError(CaravanError):
    """The agent at `address` did not answer (refused, unresolvable, timed out)."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{reason}: is an agent running at {address}?")
        self.address = address
        self.reason = reason


class APIDecodeError(CaravanError):
    """The agent answered 2xx, but not with the shape this library expects."""

    def __init__(self, path: str, detail: str) -> None:
        super().__init__(f"unexpected response from {path}: {detail}")
        self.path = path
