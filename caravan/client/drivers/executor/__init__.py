"""caravan.client.drivers.executor."""
