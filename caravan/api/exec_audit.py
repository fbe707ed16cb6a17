"""`client.exec_audit`: the exec session audit (`/v1/exec/sessions`) and a session's
recording (`/v1/exec/session/<id>/recording`, asciicast v2 as the node wrote it).

Both need `read-exec-audit` in the sessions' namespaces. The namespace is the client's
(`-namespace`, CARAVAN_NAMESPACE); `*` lists every namespace the token may audit.
"""

from __future__ import annotations

import httpx
from pydantic import TypeAdapter

from caravan.api._base import SubAPI
from caravan.api.errors import APIConnectionError
from caravan.api.query import QueryMeta, QueryOptions, merge, path_id
from caravan.structs.exec_audit import ExecSession

_SESSIONS = TypeAdapter(list[ExecSession])


class ExecAudit(SubAPI):
    def sessions(self, *, job: str = "", alloc: str = "", token: str = "",
                 q: QueryOptions | None = None) -> tuple[list[ExecSession], QueryMeta]:
        """Records, newest first; `alloc` may be a prefix, `token` an accessor ID."""
        params = {k: v for k, v in (("job", job), ("alloc", alloc), ("token", token)) if v}
        return self._read("/v1/exec/sessions", _SESSIONS, merge(q, **params))

    def recording(self, session_id: str, q: QueryOptions | None = None) -> bytes:
        """The whole recording (an asciicast v2 file)."""
        route = f"/v1/exec/session/{path_id(session_id)}/recording"
        with self._client.stream(route, q) as response:
            try:
                return response.read()
            except httpx.TransportError as exc:
                raise APIConnectionError(self._client.address, str(exc) or "stream closed") \
                    from exc
