"""caravan: a workload orchestrator that speaks Nomad's job files, HTTP API and CLI."""

__version__ = "0.1.0"
