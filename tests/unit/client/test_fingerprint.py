"""Fingerprint parsing and the Node the client registers."""

from __future__ import annotations

from pathlib import Path

from caravan.client.drivers.base import DriverFingerprint
from caravan.client.fingerprint.base import Fingerprint
from caravan.client.fingerprint.cpu import fingerprint_cpu, parse_cpuinfo
from caravan.client.fingerprint.memory import parse_meminfo_total
from caravan.client.fingerprint.osinfo import parse_os_release
from caravan.client.node import NodeIdentity, build_node
from caravan.config.agent import AgentConfig, ClientConfig, HostVolumeConfig

CPUINFO = """processor\t: 0
model name\t: AMD EPYC
cpu MHz\t\t: 2596.124
processor\t: 1
model name\t: AMD EPYC
cpu MHz\t\t: 2400.000
"""


def test_cpuinfo() -> None:
    assert parse_cpuinfo(CPUINFO) == (2596, "AMD EPYC")
    fp = fingerprint_cpu(CPUINFO, cores=2, machine="x86_64")
    assert fp.attributes["cpu.totalcompute"] == "5192"
    assert fp.attributes["cpu.numcores"] == "2"
    assert fp.attributes["cpu.arch"] == "amd64"
    assert fp.cpu_compute_mhz == 5192


def test_cpuinfo_without_mhz_falls_back_to_1000_per_core() -> None:
    fp = fingerprint_cpu("processor : 0\n", cores=4, machine="aarch64")
    assert fp.cpu_compute_mhz == 4000
    assert fp.attributes["cpu.arch"] == "arm64"


def test_meminfo_and_os_release() -> None:
    assert parse_meminfo_total("MemTotal:       24684092 kB\nMemFree: 1 kB\n") == 24684092 * 1024
    assert parse_meminfo_total("") == 0
    release = parse_os_release('NAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n# x=y\n')
    assert (release["ID"], release["VERSION_ID"]) == ("debian", "12")


def test_node_identity_is_kept(tmp_path: Path) -> None:
    ids = iter(["id-1", "secret-1", "id-2", "secret-2"])
    first = NodeIdentity.load_or_create(tmp_path, lambda: next(ids))
    again = NodeIdentity.load_or_create(tmp_path, lambda: next(ids))
    assert first == again == NodeIdentity(id="id-1", secret="secret-1")
    assert (tmp_path / "node-secret").stat().st_mode & 0o777 == 0o600


def test_build_node_with_overrides_and_drivers() -> None:
    config = AgentConfig(name="n1", datacenter="dc9", client=ClientConfig(
        enabled=True, node_class="gpu", meta={"rack": "r1"}, cpu_total_compute=3000,
        memory_total_mb=2048, host_volume={"data": HostVolumeConfig(path="/srv/data")}))
    host = Fingerprint(attributes={"kernel.name": "linux", "cpu.totalcompute": "5192"},
                       cpu_compute_mhz=5192, cpu_cores=2, memory_mb=24000, disk_free_mb=5000)
    drivers = {"raw_exec": DriverFingerprint(health="healthy", health_description="Healthy",
                                             attributes={"driver.raw_exec": "true"}),
               "exec": DriverFingerprint(health="undetected", health_description="disabled")}
    node = build_node(config, NodeIdentity("nid", "sec"), host, drivers, "10.0.0.1:4646",
                      "2024-01-01T00:00:00Z")
    assert (node.id, node.secret_id, node.name, node.datacenter, node.node_class) == (
        "nid", "sec", "n1", "dc9", "gpu")
    assert node.http_addr == "10.0.0.1:4646"
    assert node.node_resources.cpu.cpu_shares == 3000
    assert node.node_resources.memory.memory_mb == 2048
    assert node.node_resources.disk.disk_mb == 5000
    assert node.attributes["cpu.totalcompute"] == "3000"
    assert node.attributes["driver.raw_exec"] == "1"
    assert "driver.exec" not in node.attributes
    assert node.drivers["raw_exec"].healthy and node.drivers["raw_exec"].detected
    assert not node.drivers["exec"].detected
    assert node.drivers["exec"].health_description == "disabled"
    assert node.meta == {"rack": "r1"}
    assert node.host_volumes is not None and node.host_volumes["data"].path == "/srv/data"
    assert node.driver_ok("raw_exec") and not node.driver_ok("exec")
    assert "SecretID" not in node.to_wire()
