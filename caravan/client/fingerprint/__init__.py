"""Fingerprinting: what this node is (attributes) and has (resources, drivers); one module
per source."""
