"""caravan.http."""
