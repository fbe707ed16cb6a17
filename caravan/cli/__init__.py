"""caravan.cli."""
