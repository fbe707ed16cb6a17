"""consul-template's `sockaddr`, for the cheap and common cases: this node's addresses.

    {{ sockaddr "GetPrivateIP" }}              first private IPv4 (default-route interface first)
    {{ sockaddr "GetPublicIP" }}               first public IPv4
    {{ sockaddr "GetPrivateIPs" }}             all private IPv4s, space separated
    {{ sockaddr "GetPublicIPs" }}
    {{ sockaddr "GetInterfaceIP" "\\"eth0\\"" }}  the IPv4 of one interface

go-sockaddr's pipelines (`GetAllInterfaces | include ...`) are refused with a message.
IPv4 only: addresses come from the kernel's SIOCGIFADDR, one per interface.
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct

from caravan.gotemplate import FuncError, GoFunc
from caravan.gotemplate.calls import STRING

_SIOCGIFADDR = 0x8915
_ROUTES = "/proc/net/route"


def interface_addresses() -> list[tuple[str, ipaddress.IPv4Address]]:
    """(interface, IPv4) of every interface that has one, the default route's first."""
    default = _default_interface()
    names = sorted((name for _, name in socket.if_nameindex()),
                   key=lambda n: (n != default, n))
    out = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        for name in names:
            try:
                packed = fcntl.ioctl(probe.fileno(), _SIOCGIFADDR,
                                     struct.pack("256s", name.encode()[:15]))
            except OSError:
                continue  # no IPv4 address
            out.append((name, ipaddress.IPv4Address(packed[20:24])))
    return out


def _default_interface() -> str:
    try:
        with open(_ROUTES) as routes:
            for line in routes.readlines()[1:]:
                fields = line.split()
                if len(fields) > 2 and fields[1] == "00000000":
                    return fields[0]
    except OSError:
        pass
    return ""


# go-sockaddr's private ranges: RFC 1918 and RFC 6598 (carrier-grade NAT).
_PRIVATE = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12",
                                                     "192.168.0.0/16", "100.64.0.0/10"))


def _private(ip: ipaddress.IPv4Address) -> bool:
    return any(ip in network for network in _PRIVATE)


def _public(ip: ipaddress.IPv4Address) -> bool:
    return ip.is_global


def sockaddr(*args: str) -> str:
    query = " ".join(args).strip()
    addresses = interface_addresses()
    if query in ("GetPrivateIP", "GetPublicIP"):
        wanted = _private if query == "GetPrivateIP" else _public
        return next((str(ip) for _, ip in addresses if wanted(ip)), "")
    if query in ("GetPrivateIPs", "GetPublicIPs"):
        wanted = _private if query == "GetPrivateIPs" else _public
        return " ".join(str(ip) for _, ip in addresses if wanted(ip))
    if query.startswith("GetInterfaceIP "):
        name = query.removeprefix("GetInterfaceIP ").strip().strip('"')
        found = [str(ip) for iface, ip in addresses if iface == name]
        if not found:
            raise FuncError(f"sockaddr: no IPv4 address on interface {name!r}")
        return found[0]
    raise FuncError(f"sockaddr: {query!r} is not supported by caravan: use GetPrivateIP, "
                    'GetPublicIP, GetPrivateIPs, GetPublicIPs or GetInterfaceIP "name"')


SOCKADDR_FUNCS: dict[str, GoFunc] = {"sockaddr": GoFunc(sockaddr, (), STRING)}
