"""Single sign-on with the company's OpenID Connect provider (authlib's Starlette client).

`/auth/oidc/login` sends the browser to the provider with PKCE (S256), `state` and `nonce`;
`/auth/oidc/callback` exchanges the code, and authlib checks the ID token's signature, issuer,
audience, expiry and nonce. What authlib keeps between the two (state, nonce, code verifier)
lives in a short-lived cookie signed with SECRET_KEY, bound to this browser. The account
comes from services/sso.py; the browser session is started exactly as a password sign-in's.
Every failure goes back to the sign-in page with a reason the person can act on, and a warning
line in the log (never a traceback).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import httpx2
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import JoseError
from nicegui import app

from app.config import get_settings
from app.errors import AppError, Unavailable
from app.security import new_nonce
from pages.common import NONCE_COOKIE, client_address, safe_next
from services import auth, sso, uow

log = logging.getLogger(__name__)

STATE_COOKIE = 'tasklight_oidc'
STATE_SECONDS = 10 * 60  # time to sign in at the provider
_SALT = 'tasklight.oidc-state'
_NAME = 'company'
_TIMEOUT = 10.0

# Why a single sign-on did not work, as the sign-in page says it (REASONS in auth_pages).
REASONS = {
    'sso-failed': 'Signing in with {provider} did not work. Please try again.',
    'sso-unavailable': 'Signing in with {provider} is not available right now. Try again later.',
    'sso-unverified': sso.UNVERIFIED,
    'sso-no-email': sso.NO_EMAIL,
    'sso-domain': 'Your email address cannot join this server.',
    'sso-closed': auth.REGISTRATION_CLOSED,
    'sso-deactivated': auth.Deactivated.default_message,
    'sso-relink': sso.RELINK,
}
_REFUSALS = {
    sso.UNVERIFIED: 'sso-unverified',
    sso.NO_EMAIL: 'sso-no-email',
    auth.REGISTRATION_CLOSED: 'sso-closed',
    auth.Deactivated.default_message: 'sso-deactivated',
    sso.RELINK: 'sso-relink',
}

_clients: dict[tuple[str, str], Any] = {}


def reason_text(code: str) -> str | None:
    text = REASONS.get(code)
    return text.format(provider=get_settings().oidc_provider_name) if text else None


def _client() -> Any:
    """The provider's client, built once per configuration (discovery happens on first use)."""
    settings = get_settings()
    assert settings.oidc_issuer
    assert settings.oidc_client_id
    key = (settings.oidc_issuer, settings.oidc_client_id)
    if key not in _clients:
        oauth = OAuth()
        _clients[key] = oauth.register(
            _NAME,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip('/')
            + '/.well-known/openid-configuration',
            client_kwargs={
                'scope': settings.oidc_scopes,
                'code_challenge_method': 'S256',
                'timeout': _TIMEOUT,
            },
        )
    return _clients[key]


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(get_settings().signing_key, salt=_SALT)


def _back(reason: str, next_path: str = '/tasks') -> RedirectResponse:
    target = f'/login?reason={reason}'
    if next_path != '/tasks':
        target += f'&next={quote(next_path)}'
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(STATE_COOKIE, path='/auth/oidc')
    return response


def _callback_url(request: Request) -> str:
    public = get_settings().public_url
    if public:
        return public.rstrip('/') + '/auth/oidc/callback'
    return str(request.url_for('oidc_callback'))


async def oidc_login(request: Request, next: str = '/tasks') -> Response:
    """Off to the provider, remembering (signed, in this browser) how to check its answer."""
    settings = get_settings()
    if not settings.oidc_enabled:
        return RedirectResponse('/login', status_code=303)
    next_path = safe_next(next)
    request.scope['session'] = {}
    try:
        redirect = await _client().authorize_redirect(
            request, _callback_url(request), nonce=new_nonce()
        )
    except (httpx2.HTTPError, OAuthError, ValueError, KeyError) as error:
        log.warning('single sign-on: the provider cannot be reached: %s', error)
        return _back('sso-unavailable', next_path)
    state = {'authlib': request.scope['session'], 'next': next_path}
    redirect.set_cookie(
        STATE_COOKIE,
        _serializer().dumps(state),
        max_age=STATE_SECONDS,
        path='/auth/oidc',
        httponly=True,
        samesite='lax',  # the provider's redirect back is a top-level GET: the cookie comes along
        secure=request.url.scheme == 'https',
    )
    return redirect


async def oidc_callback(request: Request) -> Response:
    settings = get_settings()
    if not settings.oidc_enabled:
        return RedirectResponse('/login', status_code=303)
    try:
        state = _serializer().loads(request.cookies.get(STATE_COOKIE, ''), max_age=STATE_SECONDS)
    except BadSignature:  # none, forged or expired: this browser did not start a sign-in
        log.warning("single sign-on: a callback without this browser's sign-in state")
        return _back('sso-failed')
    if not isinstance(state, dict) or not isinstance(state.get('authlib'), dict):
        return _back('sso-failed')
    next_path = safe_next(state.get('next'))
    request.scope['session'] = state['authlib']
    client = _client()
    try:
        metadata = await client.load_server_metadata()
        issuer = str(metadata.get('issuer') or '')
        if issuer.rstrip('/') != (settings.oidc_issuer or '').rstrip('/'):
            raise ValueError(f'the provider names its issuer {issuer[:200]!r}, not OIDC_ISSUER')
        # authlib checks `aud` only when asked (by default just `iss`, and `azp` heuristics):
        # an ID token the provider made for another client must not sign anyone in here.
        token = await client.authorize_access_token(
            request,
            claims_options={
                'iss': {'essential': True, 'values': [issuer]},
                'aud': {'essential': True, 'values': [settings.oidc_client_id]},
            },
        )
    except httpx2.HTTPError as error:
        log.warning('single sign-on: the provider cannot be reached: %s', error)
        return _back('sso-unavailable', next_path)
    except (AuthlibBaseError, OAuthError, JoseError, ValueError, KeyError) as error:
        # Wrong or replayed state, a code used twice or issued to another client, a token
        # for another audience or issuer, a bad signature or nonce.
        log.warning('single sign-on refused: %s', error)
        return _back('sso-failed', next_path)
    claims = token.get('userinfo')
    if not isinstance(claims, dict):
        return _back('sso-failed', next_path)
    nonce = request.cookies.get(NONCE_COOKIE, '') or new_nonce()
    try:
        issued = uow.call(
            sso.sign_in,
            issuer=issuer,
            claims=dict(claims),
            nonce=nonce,
            user_agent=request.headers.get('user-agent'),
            address=client_address(request),
        )
    except sso.SsoRefused as refused:
        log.warning('single sign-on refused for an account: %s', refused.message)
        code = _REFUSALS.get(refused.message, 'sso-domain')
        return _back(code, next_path)
    except Unavailable:
        return _back('unavailable', next_path)
    except AppError as error:
        log.warning('single sign-on refused: %s', error.message)
        return _back('sso-failed', next_path)
    from pages.auth_pages import signed_in_response

    response = signed_in_response(request, issued, next_path)
    response.delete_cookie(STATE_COOKIE, path='/auth/oidc')
    return response


def register() -> None:
    """Add the two routes to NiceGUI's app (called by pages/auth_pages.py, which the simulated
    browser re-imports for each test: the routes are made again with it)."""
    app.add_api_route('/auth/oidc/login', oidc_login, methods=['GET'], include_in_schema=False)
    app.add_api_route(
        '/auth/oidc/callback',
        oidc_callback,
        methods=['GET'],
        include_in_schema=False,
        name='oidc_callback',
    )
