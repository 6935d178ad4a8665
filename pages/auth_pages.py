"""Sign-up, sign-in and sign-out for browsers.

Before the form is shown, `/auth/begin` gives the browser a nonce cookie. A successful sign-in
over the websocket yields a one-time ticket bound to that nonce; `/auth/complete` trades it, only
beside the same nonce, for a fresh HttpOnly cookie of a new server-side session (new id), so a
ticket link opened in another browser signs nobody in. The cookie never holds anything but that
opaque token. Sign-out is a same-origin POST, or the dashboard ending the session itself.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from nicegui import app, ui

from app.config import get_settings
from app.errors import (
    AppError,
    AuthFailed,
    Forbidden,
    InvalidInput,
    NotAuthenticated,
    RateLimited,
    Unavailable,
)
from app.models import PASSWORD_MIN, IssuedSession
from app.security import new_nonce, same_origin, sign_device
from components.frame import auth_card, banner, email_input, error_banner, switch_link
from components.timefmt import wait_text
from pages import sso
from pages.common import (
    COOKIE,
    DEVICE_COOKIE,
    NONCE_COOKIE,
    call,
    client_address,
    safe_next,
    signed_in,
)
from pages.sso import reason_text as sso_reason
from services import auth, invitations, uow

REASONS = {
    'expired': ('Your session has ended. Please sign in again.', 'info'),
    'idle': (auth.SessionIdle.default_message, 'info'),
    'signed-out': ('You have been signed out.', 'success'),
    'deleted': ('Your account and everything in it have been deleted.', 'success'),
    'ticket': ('That sign-in took too long. Please sign in again.', 'error'),
    'unavailable': (Unavailable.default_message, 'error'),
    'password-reset': (
        'Your password has been changed and you are signed out everywhere. '
        'Sign in with the new one.',
        'success',
    ),
}
NONCE_SECONDS = 60 * 60  # how long a sign-in form may stay open before it needs a reload
NONCE_MAX = 64
PREPARED = 'prepared'  # query flag: /auth/begin has run, do not send the browser there again
COOKIES_OFF = 'Allow cookies for this site to sign in.'


def _finish(issued: IssuedSession, next_path: str) -> None:
    ui.navigate.to(f'/auth/complete?ticket={quote(issued.token)}&next={quote(next_path)}')


def _message(error: AppError) -> str:
    if isinstance(error, RateLimited):
        return f'Too many attempts. Try again in {wait_text(error.retry_after)}.'
    return error.message


def _nonce(request: Request) -> str:
    nonce = request.cookies.get(NONCE_COOKIE, '')
    return nonce if 0 < len(nonce) <= NONCE_MAX else ''


def _detour(request: Request) -> RedirectResponse | None:
    """For a browser that is not signed in: once through /auth/begin when it has no nonce yet
    or still carries a session cookie (a dead one, since it is not signed in)."""
    if PREPARED in request.query_params:
        return None
    if request.cookies.get(COOKIE) is None and _nonce(request):
        return None
    here = request.url.path + (f'?{request.url.query}' if request.url.query else '')
    return RedirectResponse(f'/auth/begin?then={quote(here)}', status_code=303)


async def _signed_in(request: Request) -> bool:
    try:
        return await signed_in(request) is not None
    except AppError:
        return False  # the database is down: show the form, which says so when it is used


@ui.page('/login', title='Sign in · Tasklight')
async def login_page(request: Request) -> RedirectResponse | None:
    next_path = safe_next(request.query_params.get('next'))
    if await _signed_in(request):
        return RedirectResponse(next_path, status_code=303)
    detour = _detour(request)
    if detour is not None:
        return detour
    address = client_address(request)
    nonce = _nonce(request)
    device = request.cookies.get(DEVICE_COOKIE)

    settings = get_settings()
    with auth_card('Sign in', 'Welcome back. Your tasks are waiting.'):
        code = request.query_params.get('reason', '')
        reason = REASONS.get(code)
        if reason:
            banner(reason[0], kind=reason[1]).mark('reason')
        elif sso_reason(code):
            banner(sso_reason(code) or '', kind='error').mark('reason')
        if settings.oidc_enabled:
            ui.button(
                f'Sign in with {settings.oidc_provider_name}',
                icon='login',
                on_click=lambda: ui.navigate.to(f'/auth/oidc/login?next={quote(next_path)}'),
            ).props('outline no-caps size=md').classes('w-full').mark('sso')
            if settings.password_login:
                ui.label('or with your password').classes('text-sm text-slate-500 self-center')
        error = error_banner()
        email = email_input()
        password = (
            ui.input('Password', password=True, password_toggle_button=True)
            .props('outlined autocomplete=current-password')
            .classes('w-full')
            .mark('password')
        )
        if settings.smtp_enabled and settings.password_login:
            ui.link('Forgot password?', '/forgot').classes('text-sm text-primary self-end').mark(
                'forgot-link'
            )
        button = ui.button('Sign in').props('unelevated no-caps size=md').classes('w-full')
        if settings.registration == 'open' and settings.password_login:
            switch_link('New to Tasklight?', 'Create an account', '/signup')
        if not settings.password_login:  # single sign-on only: no password form at all
            for element in (email, password, button):
                element.set_visibility(False)

    def fail(message: str) -> None:
        error.text = message
        error.set_visibility(True)

    async def submit() -> None:
        if not (email.value or '').strip() or not password.value:
            fail('Enter your email and password.')
            return
        if not nonce:
            fail(COOKIES_OFF)
            return
        button.disable()
        try:
            issued = await call(
                auth.sign_in,
                email=email.value,
                password=password.value,
                kind='browser',
                address=address,
                device=device,
                nonce=nonce,
            )
        except AuthFailed as caught:
            fail(caught.message.rstrip('.'))
            password.value = ''
            return
        except AppError as caught:  # rate limit, database outage: what was typed stays
            fail(_message(caught))
            return
        finally:
            button.enable()
        _finish(issued, next_path)

    button.on_click(submit)
    email.on('keydown.enter', submit)
    password.on('keydown.enter', submit)
    return None


@ui.page('/signup', title='Create account · Tasklight')
async def signup_page(request: Request) -> RedirectResponse | None:
    if await _signed_in(request):
        return RedirectResponse('/tasks', status_code=303)
    detour = _detour(request)
    if detour is not None:
        return detour
    address = client_address(request)
    nonce = _nonce(request)
    invite = request.query_params.get('invite') or None
    refusal, invited_email = await _registration_refusal(invite)
    if not get_settings().password_login:  # accounts come from the identity provider
        refusal = auth.PASSWORDS_OFF
    if refusal is not None:
        with auth_card('Create your account', 'Free, private, and yours alone.'):
            banner(refusal, kind='error').mark('refused')
            switch_link('Already have an account?', 'Sign in', '/login')
        return None

    with auth_card('Create your account', 'Free, private, and yours alone.'):
        error = error_banner()
        email = email_input()
        if invited_email is not None:  # the invitation is for this address only
            email.value = invited_email
            email.props('readonly')
        password = (
            ui.input(
                'Password',
                password=True,
                password_toggle_button=True,
                validation={
                    f'Use at least {PASSWORD_MIN} characters.': lambda v: (
                        len(v or '') >= PASSWORD_MIN
                    )
                },
            )
            .without_auto_validation()
            .props(f'outlined autocomplete=new-password hint="At least {PASSWORD_MIN} characters"')
            .classes('w-full')
            .mark('password')
        )
        confirm = (
            ui.input(
                'Confirm password',
                password=True,
                validation={'The passwords do not match.': lambda v: v == password.value},
            )
            .without_auto_validation()
            .props('outlined autocomplete=new-password')
            .classes('w-full')
            .mark('confirm')
        )
        button = ui.button('Sign up').props('unelevated no-caps size=md').classes('w-full')
        switch_link('Already have an account?', 'Sign in', '/login')

    fields = {'email': email, 'password': password}

    def problems() -> dict[str, str]:
        found = auth.sign_up_problems(email=email.value or '', password=password.value or '')
        if confirm.value != password.value:
            found['confirm'] = 'The passwords do not match.'
        return found

    controls = {'email': email, 'password': password, 'confirm': confirm}

    def recheck(_: ui.input) -> None:
        """An error shown goes as soon as what is typed fixes it; none is shown early."""
        found = problems()
        for name, control in controls.items():
            if control.error and name not in found:
                control.error = None

    for watched in (email, password, confirm):
        watched.on_value_change(lambda _, f=watched: recheck(f))

    async def submit() -> None:
        error.set_visibility(False)
        email.error = None
        found = problems()  # every problem at once, not one per attempt
        for name, control in controls.items():
            control.error = found.get(name)
        if found:
            return
        if not nonce:
            error.text = COOKIES_OFF
            error.set_visibility(True)
            return
        button.disable()
        try:
            user = await call(
                auth.register,
                email=email.value or '',
                password=password.value,
                address=address,
                invitation=invite,
            )
            issued = await call(
                auth.start_session, user=user, kind='browser', nonce=nonce, address=address
            )
        except InvalidInput as caught:
            target = fields.get(caught.field or '')
            if target is not None:
                target.error = caught.reason
            else:
                error.text = caught.message
                error.set_visibility(True)
            return
        except AppError as caught:  # rate limit, database outage: what was typed stays
            error.text = _message(caught)
            error.set_visibility(True)
            return
        finally:
            button.enable()
        _finish(issued, '/tasks')

    button.on_click(submit)
    for field in (email, password, confirm):
        field.on('keydown.enter', submit)
    return None


async def _registration_refusal(invite: str | None) -> tuple[str | None, str | None]:
    """(why this browser cannot sign up now, or None; the email an invitation is bound to)."""
    mode = get_settings().registration
    if mode == 'closed':
        return auth.REGISTRATION_CLOSED, None
    if mode == 'open':
        return None, None
    if not invite:
        return auth.INVITATION_NEEDED, None
    try:
        offered = await call(invitations.check, token=invite)
    except Forbidden as refused:
        return refused.message, None
    except AppError:
        return None, None  # the database is down: the form says so when it is used
    return None, offered.email


def _cookie(response: Response, request: Request, name: str, value: str, seconds: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path='/',
        httponly=True,
        samesite='lax',
        secure=request.url.scheme == 'https',
    )


@app.get('/auth/begin', include_in_schema=False)
def begin_sign_in(request: Request, then: str = '/login') -> RedirectResponse:
    """Ready this browser for the sign-in form: a nonce cookie, and no dead session cookie.

    Harmless when another site links here: it never drops a cookie whose session lives."""
    if not then.startswith(('/login', '/signup')) or '\\' in then:
        then = '/login'
    separator = '&' if '?' in then else '?'
    response = RedirectResponse(f'{then}{separator}{PREPARED}=1', status_code=303)
    if not _nonce(request):
        _cookie(response, request, NONCE_COOKIE, new_nonce(), NONCE_SECONDS)
    token = request.cookies.get(COOKIE)
    if token:
        try:
            uow.call(auth.validate_browser_session, token=token)
        except NotAuthenticated:
            response.delete_cookie(COOKIE, path='/')
        except AppError:
            pass  # cannot tell now (database down): keep it
    return response


@app.get('/auth/complete', include_in_schema=False)
def complete_sign_in(request: Request, ticket: str = '', next: str = '/tasks') -> Response:
    """Trade a sign-in ticket for the session cookie, only in the browser that signed in."""
    nonce = _nonce(request)
    if not nonce:
        return RedirectResponse('/login?reason=ticket', status_code=303)
    try:
        issued = uow.call(
            auth.activate_browser_session,
            ticket=ticket,
            nonce=nonce,
            user_agent=request.headers.get('user-agent'),
            address=client_address(request),
        )
    except NotAuthenticated:
        return RedirectResponse('/login?reason=ticket', status_code=303)
    except AppError:
        return RedirectResponse('/login?reason=unavailable', status_code=303)
    return signed_in_response(request, issued, next)


def signed_in_response(request: Request, issued: IssuedSession, next_path: str) -> Response:
    """On to `next_path` with the new session's cookie (and this device's trust cookie)."""
    response = RedirectResponse(safe_next(next_path), status_code=303)
    settings = get_settings()
    _cookie(response, request, COOKIE, issued.token, settings.browser_session_days * 86_400)
    _cookie(
        response,
        request,
        DEVICE_COOKIE,
        sign_device(issued.info.user.id),
        settings.device_trust_days * 86_400,
    )
    response.delete_cookie(NONCE_COOKIE, path='/')  # one sign-in per nonce
    return response


@app.post('/auth/signout', include_in_schema=False)
def sign_out(request: Request) -> Response:
    """End this browser's session and forget its cookie; only for our own pages' requests."""
    if not same_origin(
        origin=request.headers.get('origin'),
        fetch_site=request.headers.get('sec-fetch-site'),
        host=request.headers.get('host'),
    ):
        return JSONResponse({'detail': 'Cross-origin sign-out refused.'}, status_code=403)
    token = request.cookies.get(COOKIE)
    if token:
        try:
            uow.call(auth.end_browser_session, token=token)
        except AppError:
            return RedirectResponse('/login?reason=unavailable', status_code=303)
    response = RedirectResponse('/login?reason=signed-out', status_code=303)
    response.delete_cookie(COOKIE, path='/')
    return response


@app.get('/auth/signout', include_in_schema=False)
def sign_out_link() -> RedirectResponse:
    """A plain link (from any site) signs nobody out: sign-out is a same-origin POST."""
    return RedirectResponse('/login', status_code=303)


@app.get('/', include_in_schema=False)
async def home(request: Request) -> RedirectResponse:
    return RedirectResponse('/tasks' if await signed_in(request) else '/login', status_code=303)


sso.register()  # /auth/oidc/login and /auth/oidc/callback
