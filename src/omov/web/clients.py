"""Who is asking: the client's address, as the throttles (voting codes, officer sign-in) key it.

Behind ``OMOV_PROXY_COUNT`` proxies (0 by default: clients connect to the server itself), the
address is the one the outermost of them saw, read from the right of ``X-Forwarded-For``:
entries further left are whatever the client chose to send, and must not pick its own key.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's IP address as text (``""`` if the request does not say)."""
    proxies: int = settings.OMOV_PROXY_COUNT
    if proxies > 0:
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [h.strip() for h in forwarded.split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= proxies:
            return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))


def client_key(address: str) -> str:
    """A short keyed hash of the client's network, so that no table holds voters' addresses.

    An IPv6 client is its /64 (one household or one machine's whole range: an attacker
    holds all of it); an IPv4 client its address."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        network = address
    else:
        network = str(ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip)
    key = f"client:{settings.SECRET_KEY}".encode()
    return hmac.new(key, network.encode(), hashlib.sha256).hexdigest()[:32]
