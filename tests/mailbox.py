"""A real SMTP server for the tests (aiosmtpd on a free loopback port) and what it received."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


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


def self_signed(folder: Path) -> Path:
    """A certificate (and key, in one PEM file) for 127.0.0.1, to trust as its own CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / 'smtp.pem'
    path.write_bytes(
        certificate.public_bytes(serialization.Encoding.PEM)
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


@contextmanager
def smtp_server(*, tls: str = 'none', certificate: Path | None = None) -> Iterator[Mailbox]:
    """`tls`: 'none', 'starttls' (required before mail) or 'ssl' (implicit TLS), with
    `certificate` (see `self_signed`)."""
    box = Mailbox(port=free_port())
    options: dict[str, Any] = {}
    if tls != 'none':
        assert certificate is not None
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(certificate)
        if tls == 'starttls':
            options = {'tls_context': context, 'require_starttls': True}
        else:
            options = {'ssl_context': context}
    controller = Controller(box, hostname='127.0.0.1', port=box.port, **options)
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
