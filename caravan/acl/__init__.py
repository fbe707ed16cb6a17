"""caravan.acl."""
