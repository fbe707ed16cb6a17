"""caravan.server."""
