"""The node's address for allocations' ports: `unique.network.ip-address` and its device.

Nomad takes the interface of the default route unless `network_interface` names one;
an agent bound to one address (a dev agent on 127.0.0.1, say) gives that address, so
tasks' ports are reachable where the agent itself is.
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import socket
import struct

from caravan.client.fingerprint.base import Fingerprint, read_text

_SIOCGIFADDR = 0x8915
_LOOPBACK = ("lo", "127.0.0.1")


def fingerprint(http_addr: str, interface: str = "") -> Fingerprint:
    device, ip = _address(http_addr.rsplit(":", 1)[0].strip("[]"), interface)
    return Fingerprint(attributes={"unique.network.ip-address": ip}, network_device=device,
                       network_ip=ip)


def _address(bind_host: str, interface: str) -> tuple[str, str]:
    if interface:
        ip = interface_ip(interface)
        return (interface, ip) if ip else _LOOPBACK
    try:
        bound = ipaddress.ip_address(bind_host)
    except ValueError:
        bound = None
    if bound is not None and not bound.is_unspecified and bound.version == 4:
        return _device_of(str(bound)), str(bound)
    device = _default_route_device()
    ip = interface_ip(device) if device else None
    return (device, ip) if device and ip else _LOOPBACK


def interface_ip(device: str) -> str | None:
    """The IPv4 address of `device`, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR,
                                 struct.pack("256s", device.encode()[:15]))
        except OSError:
            return None
    return socket.inet_ntoa(packed[20:24])


def _default_route_device() -> str | None:
    for line in read_text("/proc/net/route").splitlines()[1:]:
        fields = line.split()
        if len(fields) > 2 and fields[1] == "00000000":
            return fields[0]
    return None


def _device_of(ip: str) -> str:
    if ip.startswith("127."):
        return "lo"
    try:
        devices = os.listdir("/sys/class/net")
    except OSError:
        return ""
    return next((d for d in sorted(devices) if interface_ip(d) == ip), "")
