"""A port for a server the tests start as a process of its own (``omov serve``, ``omov demo``).

A port the kernel picks (a bind to port 0) comes from its ephemeral range, the range every
outgoing connection takes its local port from: between the test's probe closing it and the
server binding it (seconds, or a minute for ``omov demo``'s seeding), a new connection (to
PostgreSQL, the other test process's browser to its live server) may take the same port, and
the server's bind then fails. The port here is drawn below that range, where no connection
takes one, and at random, so that two test processes starting servers at once do not count
up through the same ports."""

from __future__ import annotations

import random
import socket
from pathlib import Path

RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LOWEST = 10_000  # above the ports services are registered on


def free_port() -> int:
    """A port on 127.0.0.1 that nothing is bound to now, outside the ephemeral range."""
    ephemeral = int(RANGE.read_text().split()[0]) if RANGE.exists() else 32_768
    draw = random.SystemRandom()  # not the random module's state, which a test may seed
    for _ in range(100):
        port = draw.randrange(LOWEST, ephemeral)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise AssertionError(f"no free port between {LOWEST} and {ephemeral}")
