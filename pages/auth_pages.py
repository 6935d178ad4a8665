"""Sign-up, sign-in and sign-out for browsers.

A successful sign-in over the websocket yields a one-time ticket; `/auth/complete` trades it
for a fresh HttpOnly cookie. Every sign-in therefore starts a new server-side session with a new
id, and the cookie never holds anything but that opaque token.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from fastapi.responses import RedirectResponse
from nicegui import app, ui

from app.config import get_settings
from app.errors import AppError, AuthFailed, InvalidInput, NotAuthenticated, RateLimited
from app.models import PASSWORD_MIN, IssuedSession
from components.frame import auth_card, banner, email_input, error_banner, switch_link
from pages.common import COOKIE, call, client_address, safe_next, signed_in
from services import auth, uow

REASONS = {
    'expired': ('Your session has ended. Please sign in again.', 'info'),
    'signed-out': ('You have been signed out.', 'success'),
    'ticket': ('That sign-in took too long. Please sign in again.', 'error'),
}


def _finish(issued: IssuedSession, next_path: str) -> None:
    ui.navigate.to(f'/auth/complete?ticket={quote(issued.token)}&next={quote(next_path)}')


def _rate_limited_message(error: RateLimited) -> str:
    return f'Too many attempts. Try again in {error.retry_after} seconds.'


@ui.page('/login', title='Sign in · Tasklight')
async def login_page(request: Request) -> RedirectResponse | None:
    next_path = safe_next(request.query_params.get('next'))
    if await signed_in(request):
        return RedirectResponse(next_path, status_code=303)
    address = client_address(request)

    with auth_card('Sign in', 'Welcome back. Your tasks are waiting.'):
        reason = REASONS.get(request.query_params.get('reason', ''))
        if reason:
            banner(reason[0], kind=reason[1]).mark('reason')
        error = error_banner()
        email = email_input()
        password = (
            ui.input('Password', password=True, password_toggle_button=True)
            .props('outlined autocomplete=current-password')
            .classes('w-full')
            .mark('password')
        )
        button = ui.button('Sign in').props('unelevated no-caps size=md').classes('w-full')
        switch_link('New to Tasklight?', 'Create an account', '/signup')

    def fail(message: str) -> None:
        error.text = message
        error.set_visibility(True)

    async def submit() -> None:
        if not (email.value or '').strip() or not password.value:
            fail('Enter your email and password.')
            return
        button.disable()
        try:
            issued = await call(
                auth.sign_in,
                email=email.value,
                password=password.value,
                kind='browser',
                address=address,
            )
        except RateLimited as caught:
            fail(_rate_limited_message(caught))
            return
        except AuthFailed as caught:
            fail(caught.message.rstrip('.'))
            password.value = ''
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
    if await signed_in(request):
        return RedirectResponse('/tasks', status_code=303)
    address = client_address(request)

    with auth_card('Create your account', 'Free, private, and yours alone.'):
        error = error_banner()
        email = email_input()
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

    async def submit() -> None:
        error.set_visibility(False)
        email.error = None
        if not (password.validate() and confirm.validate()):
            return
        button.disable()
        try:
            user = await call(
                auth.register, email=email.value or '', password=password.value, address=address
            )
            issued = await call(auth.start_session, user=user, kind='browser')
        except InvalidInput as caught:
            target = fields.get(caught.field or '')
            if target is not None:
                target.error = caught.reason
            else:
                error.text = caught.message
                error.set_visibility(True)
            return
        except AppError as caught:
            error.text = (
                _rate_limited_message(caught) if isinstance(caught, RateLimited) else caught.message
            )
            error.set_visibility(True)
            return
        finally:
            button.enable()
        _finish(issued, '/tasks')

    button.on_click(submit)
    for field in (email, password, confirm):
        field.on('keydown.enter', submit)
    return None


@app.get('/auth/complete', include_in_schema=False)
def complete_sign_in(request: Request, ticket: str = '', next: str = '/tasks') -> RedirectResponse:
    try:
        issued = uow.call(auth.activate_browser_session, ticket=ticket)
    except NotAuthenticated:
        return RedirectResponse('/login?reason=ticket', status_code=303)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        issued.token,
        max_age=get_settings().browser_session_days * 86_400,
        path='/',
        httponly=True,
        samesite='lax',
        secure=request.url.scheme == 'https',
    )
    return response


@app.get('/auth/signout', include_in_schema=False)
def finish_sign_out() -> RedirectResponse:
    """Forget the cookie. The session itself was ended server-side by the Sign out button."""
    response = RedirectResponse('/login?reason=signed-out', status_code=303)
    response.delete_cookie(COOKIE, path='/')
    return response


@app.get('/', include_in_schema=False)
async def home(request: Request) -> RedirectResponse:
    return RedirectResponse('/tasks' if await signed_in(request) else '/login', status_code=303)
