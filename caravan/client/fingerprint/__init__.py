"""caravan.client.fingerprint."""
