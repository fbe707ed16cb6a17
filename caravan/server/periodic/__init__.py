"""Periodic jobs: launch records (`launches.py`), the leader's launch loop
(`dispatcher.py`) and children derived from a parent (`children.py`)."""
