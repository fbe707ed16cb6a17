"""The agent: typed config and the wiring that starts server, client and HTTP."""
