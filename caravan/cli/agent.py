"""`caravan agent`: run an agent (server, client, or both with -dev) in the foreground."""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from caravan.cli.common import Ui
from caravan.cli.flags import Flags, FlagSet
from caravan.config.agent import AgentConfig, dev_config
from caravan.config.agent_file import load_file
from caravan.errors import UsageError

HELP = """
Usage: caravan agent [options]

  Starts a caravan agent and runs until an interrupt is received. The agent may be a
  server, a client, or both (-dev: server and client on 127.0.0.1:4646 with a
  temporary data dir, raw_exec and exec enabled).

Options:
  -dev                 Development mode: server + client, nothing persisted.
  -config=<path>       An agent HCL file (Nomad's names: data_dir, ports, server, client, plugin).
  -data-dir=<path>     Where state and allocations live.
  -bind=<addr>         The address the HTTP API listens on.
  -server, -client     Enable the server / client.
  -servers=<a,b>       Servers a client registers with (host:port, comma separated).
  -node=<name>         The node name.   -dc=<dc>  The datacenter.   -region=<r>  The region.
  -node-class=<class>  The node class.   -log-level=<level>  DEBUG, INFO, WARN, ERROR.
  -client-intro-token=<jwt>
                       The token (`caravan node intro create`) a new client presents at its
                       first registration. CARAVAN_CLIENT_INTRO_TOKEN or
                       NOMAD_CLIENT_INTRO_TOKEN override it; without either, the agent
                       reads <data_dir>/client/intro_token.jwt.
"""


def _flagset() -> FlagSet:
    fs = FlagSet()
    fs.bool_flag("dev")
    fs.bool_flag("server")
    fs.bool_flag("client")
    for name in ("config", "data-dir", "bind", "servers", "node", "dc", "region",
                 "node-class", "log-level", "client-intro-token"):
        fs.string_flag(name)
    return fs


def _intro_token(flags: Flags, env: Mapping[str, str]) -> str:
    for name in ("CARAVAN_CLIENT_INTRO_TOKEN", "NOMAD_CLIENT_INTRO_TOKEN"):
        if env.get(name):
            return env[name].strip()
    return flags.get_str("client-intro-token").strip()


def build_config(flags: Flags, env: Mapping[str, str] | None = None
                 ) -> tuple[AgentConfig, list[str]]:
    """Defaults, then the -dev base, then the file, then flags; validated once."""
    data: dict[str, Any] = dev_config().model_dump() if flags.get_bool("dev") else {}
    ignored: list[str] = []
    if flags.get_str("config"):
        from_file, ignored = load_file(Path(flags.get_str("config")))
        _merge(data, from_file.model_dump(exclude_unset=True))
    overrides = {"data-dir": ("data_dir",), "bind": ("bind_addr",), "node": ("name",),
                 "dc": ("datacenter",), "region": ("region",),
                 "node-class": ("client", "node_class"), "log-level": ("log_level",)}
    for flag, path in overrides.items():
        if flags.was_given(flag):
            _set(data, path, flags.get_str(flag))
    if flags.get_bool("server"):
        _set(data, ("server", "enabled"), True)
    if flags.get_bool("client"):
        _set(data, ("client", "enabled"), True)
    if flags.was_given("servers"):
        _set(data, ("client", "servers"),
             [s.strip() for s in flags.get_str("servers").split(",") if s.strip()])
    token = _intro_token(flags, env if env is not None else os.environ)
    if token:
        _set(data, ("client", "intro_token"), token)
    config = AgentConfig.model_validate(data)
    if not (config.server.enabled or config.client.enabled):
        raise UsageError("Must specify either server, client or dev mode for the agent.")
    if not config.dev_mode and not config.data_dir:
        raise UsageError("Must specify data directory")
    return config, ignored


def _merge(into: dict[str, Any], overlay: dict[str, Any]) -> None:
    for key, value in overlay.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict) and key != "chroot_env":
            _merge(into[key], value)
        else:
            into[key] = value


def _set(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def run(args: list[str], ui: Ui | None = None) -> int:
    from caravan.agent.run import run_agent

    ui = ui or Ui()
    config, ignored = build_config(_flagset().parse(args))
    logging.basicConfig(level=config.log_level.upper().replace("WARN", "WARNING"),
                        format="    %(asctime)s [%(levelname)s] %(name)s: %(message)s")
    # One line per heartbeat and blocking query drowns what matters.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if ignored:
        ui.output(f"==> Ignoring agent config keys caravan does not use: {', '.join(ignored)}")
    tune_gc()
    return run_agent(config)


# An agent process lives long and holds every job, node and allocation as objects: at the
# collector's default pace (a young collection every 700 allocations) re-scanning them
# cost a fifth of a server's scheduling time. Everything imported by now is moved out of
# the collector's sight and collections come less often; reference counting frees all
# else as before, only garbage cycles wait longer. The agent process only: a test
# process that runs servers in-process keeps the default.
GC_THRESHOLDS = (20_000, 20, 20)


def tune_gc() -> None:
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
