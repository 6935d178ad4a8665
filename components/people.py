"""How a person shows where space is short: initials from their email address."""

from __future__ import annotations

import re

_PARTS = re.compile(r'[._+\-]+')


def initials(email: str) -> str:
    """'ann.lee@example.com' -> 'AL', 'bob@example.com' -> 'BO': one or two letters."""
    local = email.split('@', 1)[0]
    parts = [part for part in _PARTS.split(local) if part]
    if len(parts) >= 2:
        return (parts[0][0] + parts[1][0]).upper()
    return (parts[0][:2] if parts else email[:2]).upper()
