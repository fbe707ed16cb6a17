"""caravan.api."""
