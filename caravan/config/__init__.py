"""The agent's typed configuration: the bottom layer that server, client and HTTP read.

    agent.py       AgentConfig and its server/client/plugin/acl blocks, dev_config()
    agent_file.py  Nomad-style agent HCL files -> AgentConfig, errors with file and line
    artifact.py    the client's `artifact { }` limits (sizes, timeouts, allowed_sources)
    sources.py     the grammar of an `allowed_sources` entry
    exec_recording.py  the client's `exec_recording { }` block (asciicast of exec sessions)

Nothing here imports from server, client, http or agent: those are built from it.
"""
