"""Password hashing, access tokens and opaque session secrets."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
import uuid
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadData, URLSafeTimedSerializer
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from passlib.context import CryptContext

from app.config import get_settings

ALGORITHM = 'HS256'

# OWASP's argon2id recommendation: 19 MiB, 2 iterations, 1 lane. Older or weaker hashes are
# upgraded on the next successful sign-in through `verify_and_update`.
pwd_context = CryptContext(
    schemes=['argon2'],
    argon2__type='ID',
    argon2__memory_cost=19 * 1024,
    argon2__rounds=2,
    argon2__parallelism=1,
)

# Verified against when the email is unknown, so both failures cost the same time.
_DUMMY_HASH = pwd_context.hash('tasklight-timing-equaliser')


def hash_password(password: str) -> str:
    return str(pwd_context.hash(password))


def verify_password(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, replacement hash when the stored one uses outdated parameters)."""
    if password_hash is None:
        pwd_context.verify(password, _DUMMY_HASH)
        return False, None
    ok, new_hash = pwd_context.verify_and_update(password, password_hash)
    return bool(ok), new_hash


# ---------------------------------------------------------------- opaque secrets


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode('utf-8')).hexdigest()


def secrets_match(secret: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret), expected_hash)


def hash_ticket(secret: str, nonce: str) -> str:
    """A sign-in ticket's hash covers the nonce of the browser that asked for it, so the ticket
    alone (a leaked link) cannot sign another browser in."""
    return hash_secret(f'{secret}.{nonce}' if nonce else secret)


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


# ---------------------------------------------------------------- trusted devices

_DEVICE_SALT = 'tasklight-device'


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().signing_key, salt=_DEVICE_SALT)


def sign_device(user_id: uuid.UUID) -> str:
    """A signed note that `user_id` signed in on this browser (kept in an HttpOnly cookie)."""
    return str(_device_serializer().dumps({'u': user_id.hex, 'd': secrets.token_urlsafe(8)}))


def device_user(token: str | None) -> uuid.UUID | None:
    """The account our device cookie vouches for, if it is younger than DEVICE_TRUST_DAYS."""
    if not token or len(token) > 512:
        return None
    try:
        data = _device_serializer().loads(token, max_age=get_settings().device_trust_days * 86_400)
        return uuid.UUID(hex=str(data['u']))
    except (BadData, ValueError, TypeError, KeyError):
        return None


def compose_token(session_id: uuid.UUID, secret: str) -> str:
    return f'{session_id.hex}.{secret}'


def split_token(token: str) -> tuple[uuid.UUID, str] | None:
    """The session id and secret of a `sid.secret` token, or None if it is not one."""
    sid, sep, secret = token.partition('.')
    # Ours are ASCII; anything else (a lone surrogate) could not even be hashed.
    if not sep or not secret or len(sid) != 32 or len(token) > 200 or not token.isascii():
        return None
    try:
        return uuid.UUID(hex=sid), secret
    except ValueError:
        return None


# ---------------------------------------------------------------- access tokens (JWT)


@dataclass(frozen=True, slots=True)
class AccessClaims:
    user_id: uuid.UUID
    session_id: uuid.UUID
    expires_at: int


@lru_cache(maxsize=4)
def _key(secret: str) -> OctKey:
    return OctKey.import_key(secret)


def create_access_token(*, user_id: uuid.UUID, session_id: uuid.UUID) -> tuple[str, int]:
    """A signed JWT naming the user and the server-side session; returns (token, seconds valid)."""
    settings = get_settings()
    lifetime = settings.access_token_minutes * 60
    now = int(time.time())
    claims = {'sub': str(user_id), 'sid': session_id.hex, 'iat': now, 'exp': now + lifetime}
    token = jwt.encode(
        {'alg': ALGORITHM}, claims, _key(settings.signing_key), algorithms=[ALGORITHM]
    )
    return token, lifetime


_claims_registry = jwt.JWTClaimsRegistry(
    leeway=5, exp={'essential': True}, sub={'essential': True}, sid={'essential': True}
)


def decode_access_token(token: str) -> AccessClaims | None:
    """The claims of a token we signed that has not expired, or None for anything else."""
    if len(token) > 2048:
        return None
    try:
        decoded = jwt.decode(token, _key(get_settings().signing_key), algorithms=[ALGORITHM])
        claims: dict[str, Any] = decoded.claims
        _claims_registry.validate(claims)
        return AccessClaims(
            user_id=uuid.UUID(str(claims['sub'])),
            session_id=uuid.UUID(hex=str(claims['sid'])),
            expires_at=int(claims['exp']),
        )
    except (JoseError, ValueError, TypeError, KeyError):
        return None


# ---------------------------------------------------------------- same-origin requests


def same_origin(*, origin: str | None, fetch_site: str | None, host: str | None) -> bool:
    """Whether a state-changing browser request comes from our own pages.

    Browsers send `Sec-Fetch-Site` (and `Origin`) on every POST; a request with neither is not
    from a browser form or script of ours, so it is refused rather than trusted.
    """
    if fetch_site is not None:
        return fetch_site == 'same-origin'
    if origin is None or origin == 'null' or host is None:
        return False
    return urlsplit(origin).netloc.lower() == host.lower()
