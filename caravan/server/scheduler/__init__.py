"""caravan.server.scheduler."""
