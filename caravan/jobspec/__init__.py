"""caravan.jobspec."""
