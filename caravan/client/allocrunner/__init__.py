"""caravan.client.allocrunner."""
