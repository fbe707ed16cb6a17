"""caravan.client.taskrunner."""
