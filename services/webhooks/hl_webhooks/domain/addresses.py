"""Where a webhook may point (SSRF defence): a webhook must not become a way into the network.

A target URL is http(s) with a host; every address its host resolves to must be globally routable
— not loopback, link-local, private, shared (CGNAT), multicast, unspecified or reserved — unless it
lies in a network the operator allows (`HL_WEBHOOKS_ALLOWED_NETWORKS`). The check runs when a
subscription is made and again before every delivery, on the addresses the connection will use,
so a name that later resolves elsewhere (DNS rebinding) is caught.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from hl_platform.errors import InvalidInput

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class Target:
    """A parsed webhook URL."""

    url: str
    scheme: str
    host: str  # as written (a name, or an address without brackets)
    port: int

    @property
    def literal(self) -> IPAddress | None:
        """The host as an address, when it is one."""
        try:
            return ipaddress.ip_address(self.host)
        except ValueError:
            return None


def parse_target(url: str, *, require_https: bool) -> Target:
    """The URL as a target, or `InvalidInput` on the field `url` naming what is wrong."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidInput("url", f"not a URL: {exc}") from None
    schemes = ("https",) if require_https else ("https", "http")
    if parts.scheme not in schemes:
        raise InvalidInput("url", f"the scheme must be {' or '.join(schemes)}")
    if not parts.hostname:
        raise InvalidInput("url", "the URL names no host")
    if parts.username or parts.password:
        raise InvalidInput("url", "credentials in the URL are not accepted; verify the signature instead")
    if parts.fragment:
        raise InvalidInput("url", "a fragment (#…) is never sent; leave it out")
    return Target(url, parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def networks(cidrs: Sequence[str]) -> tuple[IPNetwork, ...]:
    """The operator's allowed networks (settings are validated with this at start)."""
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def refusal(address: IPAddress, allowed: Sequence[IPNetwork] = ()) -> str | None:
    """Why `address` may not receive webhooks, or None when it may."""
    if any(address.version == net.version and address in net for net in allowed):
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal(address.ipv4_mapped, allowed)
    for kind, flag in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if flag:
            return f"{address} is a {kind} address"
    if not address.is_global:
        return f"{address} is not a globally routable address"
    return None


def first_refusal(addresses: Sequence[IPAddress], allowed: Sequence[IPNetwork] = ()) -> str | None:
    """The first refusal among the addresses a host resolves to (one bad address taints the name)."""
    if not addresses:
        return "the host resolves to no address"
    return next((reason for address in addresses if (reason := refusal(address, allowed))), None)
