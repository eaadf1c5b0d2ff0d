"""A local SMTP relay for the tests (aiosmtpd): it keeps every message it accepts and
refuses, for now (451), the first try of the addresses it is told to."""

from __future__ import annotations

import email
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

from .ports import free_port

CODE = re.compile(rb"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")


@dataclass(frozen=True)
class Received:
    to: str
    message_id: str
    code: str


@dataclass
class Sink:
    refuse_first_try: Callable[[str], bool] = lambda address: False
    # Advertise PIPELINING (RFC 2920), as Postfix does; aiosmtpd reads commands in order
    # however they arrive, and refuses DATA when no recipient was taken.
    pipelining: bool = False
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _tried: set[str] = field(default_factory=set)

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        if self.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            first = address not in self._tried
            self._tried.add(address)
            if first and self.refuse_first_try(address):
                self.refused.append(address)
                return "451 4.3.2 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        found = CODE.search(envelope.content)
        with self.lock:
            for address in envelope.rcpt_tos:
                self.received.append(
                    Received(
                        address, message["Message-ID"], found.group(0).decode() if found else ""
                    )
                )
        return "250 Message accepted"

    def count(self) -> int:
        with self.lock:
            return len(self.received)


@contextmanager
def smtp_sink(sink: Sink) -> Iterator[int]:
    """Run ``sink`` on a free local port; yields the port."""
    port = free_port()  # outside the ephemeral range, as the servers' (ports.py says why)
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port
    finally:
        controller.stop()
