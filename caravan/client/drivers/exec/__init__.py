"""caravan.client.drivers.exec."""
