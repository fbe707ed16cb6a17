"""Test hosts of their own: network namespaces on a bridge (scripts/netns-hosts), and
agents that run inside them, each at its own address."""

from __future__ import annotations

import ipaddress
import os
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.agents import AgentProcess

SCRIPT = str(Path(__file__).resolve().parents[2] / "scripts" / "netns-hosts")


def _run(*args: str) -> None:
    subprocess.run([SCRIPT, *args], check=True, capture_output=True, timeout=30)


@dataclass
class Hosts:
    bridge: str
    gateway: str  # this (root) namespace's address on the bridge
    addresses: dict[str, str] = field(default_factory=dict)  # host -> its address
    namespaces: dict[str, str] = field(default_factory=dict)  # host -> its namespace

    def cut(self, host: str) -> None:
        """Take `host`'s link down: nothing reaches it and nothing leaves it."""
        _run("cut", self.namespaces[host])

    def heal(self, host: str) -> None:
        _run("heal", self.namespaces[host])


def _free_subnet() -> ipaddress.IPv4Network:
    used = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True,
                          check=True).stdout
    for third in range(os.getpid() % 200 + 20, 250):
        net = ipaddress.IPv4Network(f"10.213.{third}.0/24")
        if f"10.213.{third}." not in used:
            return net
    raise RuntimeError("no free 10.213.x.0/24 for test hosts")


@contextmanager
def netns_hosts(*names: str) -> Iterator[Hosts]:
    """A bridge and one namespace per name, checked before use, removed afterwards."""
    tag = f"{os.getpid() % 100000}"
    net = _free_subnet()
    addrs = list(net.hosts())
    hosts = Hosts(bridge=f"cvb{tag}", gateway=str(addrs[0]))
    made = [f"c{tag}{n}" for n in names]
    try:
        _run("bridge-up", hosts.bridge, f"{addrs[0]}/24")
        for i, (name, ns) in enumerate(zip(names, made), start=10):
            _run("host-up", hosts.bridge, ns, f"{addrs[i]}/24")
            # Traffic only to a host that exists with the address we gave it.
            _run("check", ns, str(addrs[i]))
            hosts.addresses[name] = str(addrs[i])
            hosts.namespaces[name] = ns
        yield hosts
    finally:
        subprocess.run([SCRIPT, "down", hosts.bridge, *made], capture_output=True, timeout=60)


@dataclass
class HostAgent(AgentProcess):
    """An agent inside namespace `netns`, listening on `ip` (its host's address)."""

    ip: str = ""
    netns: str = ""

    def __post_init__(self) -> None:
        self.launcher = ["ip", "netns", "exec", self.netns]

    @property
    def address(self) -> str:
        return f"http://{self.ip}:{self.port}"

    def write_config(self) -> Path:
        path = super().write_config()
        path.write_text(path.read_text().replace('bind_addr = "127.0.0.1"',
                                                 f'bind_addr = "{self.ip}"'))
        return path
