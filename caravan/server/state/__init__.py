"""caravan.server.state."""
