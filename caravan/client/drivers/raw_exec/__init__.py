"""caravan.client.drivers.raw_exec."""
