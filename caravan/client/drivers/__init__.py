"""caravan.client.drivers."""
