"""Health checks of services with Nomad's own provider, run by the client: `probes.py`
(http, tcp, and script checks through the exec path) and `watcher.py` (one loop per
check, results, `check_restart`)."""
