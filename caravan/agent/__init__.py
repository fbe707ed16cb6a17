"""The agent: the wiring that builds server, client and HTTP from one `config.AgentConfig`."""
