"""Deployments on the server: the watcher that moves them on as allocations report their
health (`watcher.py`, deciding in `progress.py`), and the endpoint behind
`/v1/deployment...` (`endpoint.py`). The scheduler's side is
`caravan/server/scheduler/rollout.py`."""
