"""The agent's typed configuration: defaults live in the models, read once, then read-only.

Built from an HCL agent file (`caravan agent -config FILE`), then flags, then
validated (`config.agent_file`); `-dev` starts from `dev_config()`.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from caravan.config.artifact import ArtifactConfig
from caravan.config.etcd import EtcdConfig
from caravan.config.template import TemplateConfig
from caravan.config.exec_recording import ExecRecordingConfig
from caravan.config.tls import ClientIntroductionConfig, TLSConfig
from caravan.config.ui import UIConfig
from caravan.durations import parse_duration
from caravan.structs.validate import DEFAULT_JOB_MAX_COUNT


def _seconds(value: Any) -> Any:
    """Agent files give durations as Go strings (`"10s"`); models hold float seconds."""
    if isinstance(value, str):
        return parse_duration(value) / 1e9
    return value


Seconds = Annotated[float, BeforeValidator(_seconds)]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Ports(_Config):
    http: int = 4646
    rpc: int = 4647
    serf: int = 4648


class ServerConfig(_Config):
    enabled: bool = False
    # Nomad's names: how long past its TTL a node may be silent before it is marked down,
    # and the TTL handed to clients (they heartbeat at about half of it).
    heartbeat_grace: Seconds = 10.0
    min_heartbeat_ttl: Seconds = 10.0
    # caravan's own (Nomad has no bound): the largest `count` a task group may ask for.
    job_max_count: int = Field(default=DEFAULT_JOB_MAX_COUNT, ge=1)
    client_introduction: ClientIntroductionConfig = Field(
        default_factory=ClientIntroductionConfig)
    # Several servers share their state through etcd; without it, one server on SQLite.
    etcd: EtcdConfig | None = None
    # Garbage collection (Nomad's names and defaults): how often the leader collects, and
    # how long terminal objects are kept first.
    job_gc_interval: Seconds = Field(default=300.0, gt=0)
    job_gc_threshold: Seconds = Field(default=4 * 3600.0, ge=0)
    eval_gc_threshold: Seconds = Field(default=3600.0, ge=0)
    batch_eval_gc_threshold: Seconds = Field(default=24 * 3600.0, ge=0)
    deployment_gc_threshold: Seconds = Field(default=3600.0, ge=0)
    node_gc_threshold: Seconds = Field(default=24 * 3600.0, ge=0)


class HostVolumeConfig(_Config):
    path: str
    read_only: bool = False


DEFAULT_CHROOT_ENV = {
    "/bin": "/bin", "/etc": "/etc", "/lib": "/lib", "/lib32": "/lib32", "/lib64": "/lib64",
    "/run/resolvconf": "/run/resolvconf", "/run/systemd/resolve": "/run/systemd/resolve",
    "/sbin": "/sbin", "/usr": "/usr",
}


class ClientConfig(_Config):
    enabled: bool = False
    servers: list[str] = Field(default_factory=list)
    node_class: str = ""
    meta: dict[str, str] = Field(default_factory=dict)
    options: dict[str, str] = Field(default_factory=dict)
    chroot_env: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_CHROOT_ENV))
    host_volume: dict[str, HostVolumeConfig] = Field(default_factory=dict)
    disable_remote_exec: bool = False
    max_kill_timeout: Seconds = 30.0
    # Overrides of fingerprinted totals (Nomad's client `cpu_total_compute`, `memory_total_mb`).
    cpu_total_compute: int = 0
    memory_total_mb: int = 0
    # Where allocations get their ports: the interface whose IPv4 address they bind
    # (default: the bind address, or the default route's interface), and the range
    # dynamic ports come from (Nomad's defaults).
    network_interface: str = ""
    # Garbage collection of terminal allocations' dirs (Nomad's names and defaults): how
    # often the client looks, and the limits past which it removes the oldest ones.
    gc_interval: Seconds = Field(default=60.0, gt=0)
    gc_parallel_destroys: int = Field(default=2, ge=1)
    gc_disk_usage_threshold: float = Field(default=80.0, ge=0, le=100)
    gc_inode_usage_threshold: float = Field(default=70.0, ge=0, le=100)
    gc_max_allocs: int = Field(default=50, ge=1)
    min_dynamic_port: int = Field(default=20000, ge=1, le=65535)
    max_dynamic_port: int = Field(default=32000, ge=1, le=65535)

    @model_validator(mode="after")
    def _port_range(self) -> ClientConfig:
        if self.min_dynamic_port > self.max_dynamic_port:
            raise ValueError(f"min_dynamic_port ({self.min_dynamic_port}) must not be above "
                             f"max_dynamic_port ({self.max_dynamic_port})")
        return self
    # Nomad's client `artifact { }` block, plus caravan's `allowed_sources`.
    artifact: ArtifactConfig = Field(default_factory=ArtifactConfig)
    # Nomad's client `template { }` block (see config/template.py).
    template: TemplateConfig = Field(default_factory=TemplateConfig)
    # caravan's own: asciicast recordings of exec sessions (an audit record is always kept).
    exec_recording: ExecRecordingConfig = Field(default_factory=ExecRecordingConfig)
    # Not a file key in Nomad either: `-client-intro-token`, CARAVAN_CLIENT_INTRO_TOKEN /
    # NOMAD_CLIENT_INTRO_TOKEN, or `<data_dir>/client/intro_token.jwt`.
    intro_token: str = Field(default="", exclude=True, repr=False)


class PluginConfig(_Config):
    """`plugin "<name>" { config { ... } }`: opaque here, decoded by the driver."""

    config: dict[str, Any] = Field(default_factory=dict)


class AclConfig(_Config):
    enabled: bool = False
    # Nomad's bounds for a token's ExpirationTTL (server side).
    token_min_expiration_ttl: Seconds = 60.0
    token_max_expiration_ttl: Seconds = 24 * 3600.0


class LimitsConfig(_Config):
    """Nomad's `limits { }` block. Nomad's keys for its RPC port and TLS handshakes are
    accepted so its agent files load; caravan has neither, so they do nothing here."""

    https_handshake_timeout: Seconds = 5.0
    # Nomad's default is 100. caravan's is 0 (no limit) for now: its own client agents, CLI
    # (two connections per `alloc exec`) and tasks all reach an agent from one loopback IP,
    # and 50 concurrent exec sessions crowded out the node's heartbeats. Set it where
    # callers come from many addresses.
    http_max_conns_per_client: int = Field(default=0, ge=0)
    rpc_handshake_timeout: Seconds = 5.0
    rpc_max_conns_per_client: int = 100
    # caravan's own, after Go's http.Server: the request head must arrive within the first,
    # its body within the second; a connection that misses one is closed.
    http_read_header_timeout: Seconds = Field(default=10.0, gt=0)
    http_read_timeout: Seconds = Field(default=60.0, gt=0)


class AgentConfig(_Config):
    region: str = "global"
    datacenter: str = "dc1"
    name: str = ""
    data_dir: str = ""
    bind_addr: str = "0.0.0.0"
    log_level: str = "INFO"
    ports: Ports = Field(default_factory=Ports)
    server: ServerConfig = Field(default_factory=ServerConfig)
    client: ClientConfig = Field(default_factory=ClientConfig)
    plugin: dict[str, PluginConfig] = Field(default_factory=dict)
    acl: AclConfig = Field(default_factory=AclConfig)
    limits: LimitsConfig = Field(default_factory=LimitsConfig)
    tls: TLSConfig = Field(default_factory=TLSConfig)
    ui: UIConfig = Field(default_factory=UIConfig)
    dev_mode: bool = False

    def http_url(self) -> str:
        host = "127.0.0.1" if self.bind_addr in ("0.0.0.0", "::", "") else self.bind_addr
        scheme = "https" if self.tls.http else "http"
        return f"{scheme}://{host}:{self.ports.http}"

    def plugin_config(self, name: str) -> dict[str, Any]:
        plugin = self.plugin.get(name)
        return dict(plugin.config) if plugin else {}


def dev_config() -> AgentConfig:
    """`caravan agent -dev`: server and client in one process on 127.0.0.1:4646."""
    return AgentConfig(
        bind_addr="127.0.0.1",
        dev_mode=True,
        server=ServerConfig(enabled=True),
        # As Nomad's dev agent: collect rarely, and only on a nearly full disk.
        client=ClientConfig(enabled=True, gc_interval=600.0, gc_disk_usage_threshold=99.0,
                            gc_inode_usage_threshold=99.0),
        plugin={"raw_exec": PluginConfig(config={"enabled": True}),
                "exec": PluginConfig(config={})},
    )
