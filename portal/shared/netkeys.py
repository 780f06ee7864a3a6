"""The client's network, the key of rate limits and throttles (never the IP alone)."""

from __future__ import annotations

import ipaddress

from flask import request


def client_network(*, v4_prefix: int = 24, v6_prefix: int = 64) -> str:
    """The client's /24 (IPv4) or /64 (IPv6) by default. ``remote_addr`` is set by ProxyFix
    only when ``PROXY_FIX_X_FOR`` trusts a proxy, so a forged X-Forwarded-For changes
    nothing."""
    addr = request.remote_addr or "0.0.0.0"  # noqa: S104 - a key, not a bind address
    try:
        ip = ipaddress.ip_address(addr)
    except ValueError:
        return addr[:64]
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    prefix = v4_prefix if ip.version == 4 else v6_prefix
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))
