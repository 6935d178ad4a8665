"""A real SMTP server for the tests (aiosmtpd on a free loopback port) and what it received."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Mailbox:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        message['X-Envelope-To'] = ', '.join(envelope.rcpt_tos)
        self.messages.append(message)
        return '250 Message accepted for delivery'

    def settings(self) -> dict[str, str]:
        """The environment that sends Tasklight's email here."""
        return {
            'SMTP_HOST': '127.0.0.1',
            'SMTP_PORT': str(self.port),
            'SMTP_SECURITY': 'none',
            'SMTP_FROM': 'Tasklight <tasklight@test.example>',
        }

    def wait_for(self, count: int = 1, seconds: float = 20.0) -> list[EmailMessage]:
        """The first `count` messages, once they have arrived (sending runs in the background)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f'expected {count} message(s), got {len(self.messages)}')
            time.sleep(0.02)
        return self.messages[:count]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return int(sock.getsockname()[1])


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    box = Mailbox(port=free_port())
    controller = Controller(box, hostname='127.0.0.1', port=box.port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def body_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=('plain',))
    assert part is not None
    return str(part.get_content())


def link_in(message: EmailMessage) -> str:
    """The one reset link the message carries."""
    links = [word for word in body_of(message).split() if '/reset?token=' in word]
    assert len(links) == 1, body_of(message)
    return links[0]
