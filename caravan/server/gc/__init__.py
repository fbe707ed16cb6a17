"""The server's garbage collection of terminal jobs, evaluations, allocations and
deployments: `collect.py` decides (pure), `collector.py` deletes on the leader."""
