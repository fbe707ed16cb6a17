"""TLS for agents, the CLI and the api library: pure helpers, no caravan config.

    certs.py    `caravan tls ca create` / `cert create`: Nomad's file names and SANs
    context.py  ssl.SSLContext for serving HTTPS and for calling an agent
    roles.py    a certificate's role (`client.<region>.nomad`, ...) from its names

Everything takes plain paths and flags, so config, server, client, http, api and cli
can all use it without importing each other.
"""
