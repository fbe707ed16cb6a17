"""caravan.client."""
