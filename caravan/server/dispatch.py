"""Dispatching a parameterized job: a child `<job>/dispatch-<unix>-<8 hex>` with the
caller's payload and meta, checked against the parent's `parameterized` block as Nomad
checks it (payload mode, 16 KiB limit, required and permitted meta keys)."""

from __future__ import annotations

import base64
import binascii

from caravan.errors import InvalidInput, NotFound
from caravan.server.core import ServerCore
from caravan.server.job_endpoint import JobEndpoint
from caravan.structs import Evaluation, Job
from caravan.structs.periodic import DISPATCH_SUFFIX

# Nomad's DispatchPayloadSizeLimit, on the decoded bytes.
PAYLOAD_LIMIT = 16 * 1024


def decode_payload(text: str | None) -> bytes:
    """The request's `Payload` (base64, as Go sends []byte) as bytes."""
    if not text:
        return b""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput("Payload must be base64-encoded bytes") from None


def check_request(parent: Job, payload: bytes, meta: dict[str, str]) -> None:
    config = parent.parameterized_job
    assert config is not None
    if config.payload == "required" and not payload:
        raise InvalidInput("Payload is not provided but required by parameterized job")
    if config.payload == "forbidden" and payload:
        raise InvalidInput("Payload provided but forbidden by parameterized job")
    if len(payload) > PAYLOAD_LIMIT:
        raise InvalidInput(f"Payload exceeds maximum size; {len(payload)} > {PAYLOAD_LIMIT}")
    required, optional = set(config.meta_required or []), set(config.meta_optional or [])
    unpermitted = sorted(k for k in meta if k not in required | optional)
    if unpermitted:
        raise InvalidInput("Dispatch request included unpermitted metadata keys: "
                           f"[{' '.join(unpermitted)}]")
    missing = sorted(required - set(meta))
    if missing:
        raise InvalidInput(f"Dispatch did not provide required meta keys: [{' '.join(missing)}]")


class Dispatcher:
    def __init__(self, core: ServerCore, jobs: JobEndpoint) -> None:
        self._core = core
        self._jobs = jobs

    def dispatch(self, namespace: str, job_id: str, payload: bytes, meta: dict[str, str],
                 id_prefix_template: str = "") -> tuple[Job, Evaluation | None, int]:
        """The dispatched child, its evaluation (None if the child is periodic itself) and
        the index that stored it."""
        parent = self._core.store.job(namespace, job_id)
        if parent is None:
            raise NotFound("parameterized job not found")
        if not parent.is_parameterized():
            raise InvalidInput(f'Specified job "{job_id}" is not a parameterized job')
        if parent.stop:
            raise InvalidInput(f'Specified job "{job_id}" is stopped')
        check_request(parent, payload, meta)
        child = self._child(parent, payload, meta, id_prefix_template)
        ev, index, _ = self._jobs.register(child)
        return child, ev, index

    def _child(self, parent: Job, payload: bytes, meta: dict[str, str], prefix: str) -> Job:
        unix = self._core.clock.now_ns() // 1_000_000_000
        suffix = self._core.new_id()[:8]
        child_id = (f"{parent.id}{DISPATCH_SUFFIX}{prefix}-{unix}-{suffix}" if prefix
                    else f"{parent.id}{DISPATCH_SUFFIX}{unix}-{suffix}")
        return parent.model_copy(deep=True, update={
            "id": child_id, "name": child_id, "parent_id": parent.id, "dispatched": True,
            "meta": {**(parent.meta or {}), **meta} or None,
            "payload": base64.b64encode(payload).decode() if payload else None,
            "status": "pending", "status_description": "", "version": 0, "stable": False,
            "create_index": 0, "modify_index": 0, "job_modify_index": 0})
