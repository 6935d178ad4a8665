"""Sending one email through the SMTP server of the settings (SMTP_*), with the standard library.

Blocking: callers in an event loop run it in a worker thread (`run.io_bound`, a background task).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid

from app.config import get_settings

TIMEOUT_SECONDS = 15.0


def send(*, to: str, subject: str, body: str) -> None:
    """Deliver a plain-text message; raises OSError or smtplib.SMTPException when it cannot."""
    settings = get_settings()
    if not settings.smtp_host:
        raise RuntimeError('SMTP_HOST is not set')
    message = EmailMessage()
    message['From'] = settings.smtp_from
    message['To'] = to
    message['Subject'] = subject
    message['Message-ID'] = make_msgid(domain=settings.smtp_from.rpartition('@')[2].strip('> '))
    message.set_content(body)
    context = ssl.create_default_context()
    server: smtplib.SMTP
    if settings.smtp_security == 'ssl':
        server = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS, context=context
        )
    else:
        server = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_SECONDS)
    with server:
        if settings.smtp_security == 'starttls':
            server.starttls(context=context)
        if settings.smtp_username:
            server.login(settings.smtp_username, settings.smtp_password or '')
        server.send_message(message)
