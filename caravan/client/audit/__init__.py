"""Exec session audit on the client: one record per session, and its terminal recorded.

Every session kind that reaches a task over the exec channel (exec, cp, port-forward,
debug copies, job actions, each allocation of a fan-out) opens its session the same
way, through `Client.audit_session` (which fills in namespace, job and node):

    async with client.audit_session(ExecSession(kind="exec", alloc_id=..., task=...,
                                                command=[...], tty=True, ...)) as rec:
        code = await rec.result(driver.exec_streaming(..., rec.tap(stream)))

    files.py     where records and recordings live (root-only, under the client's data dir)
    recorder.py  the asciicast v2 writer of one session
    session.py   AuditedSession: the record, byte counts, the tap on an ExecStream
    audit.py     ExecAudit: opens sessions, removes an allocation's, pushes records to a server

The server keeps every record (`GET /v1/exec/sessions`); a recording stays on the node
that served the session until its allocation is collected
(`GET /v1/exec/session/<id>/recording` is forwarded there).
"""

from caravan.client.audit.audit import ExecAudit
from caravan.client.audit.files import AuditFiles
from caravan.client.audit.session import AuditedSession

__all__ = ["AuditFiles", "AuditedSession", "ExecAudit"]
