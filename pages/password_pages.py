"""/forgot and /reset: asking for a password-reset link by email, and setting a new password
with a link (from that email, or handed over by an admin).

/forgot answers the same for any address, and only after the lookup: the email itself goes out
in the background. Without SMTP it says to ask an admin. A good /reset link sets the password
(checked as at sign-up) and every session of the person ends at once, everywhere."""

from __future__ import annotations

from fastapi import Request
from nicegui import background_tasks, run, ui

from app.config import get_settings
from app.errors import AppError, InvalidInput, RateLimited
from app.models import PASSWORD_MIN
from components.frame import auth_card, banner, email_input, error_banner, switch_link
from components.timefmt import wait_text
from pages.common import call, client_address
from services import password_reset


@ui.page('/forgot', title='Forgot password · Tasklight')
async def forgot_page(request: Request) -> None:
    if not get_settings().smtp_enabled:
        with auth_card('Forgot your password?', 'Ask an admin of this Tasklight.'):
            banner(password_reset.NO_EMAIL).mark('no-email')
            switch_link('Remembered it?', 'Sign in', '/login')
        return
    address = client_address(request)
    base = str(request.base_url)
    with auth_card('Forgot your password?', 'We will email you a link to choose a new one.'):
        sent = banner(password_reset.SENT, kind='success').mark('sent')
        sent.props('role=status')
        sent.set_visibility(False)
        error = error_banner()
        email = email_input()
        button = ui.button('Send link').props('unelevated no-caps size=md').classes('w-full')
        switch_link('Remembered it?', 'Sign in', '/login')

    async def submit() -> None:
        error.set_visibility(False)
        email.error = None
        if not (email.value or '').strip():
            email.error = 'Enter your email.'
            return
        button.disable()
        try:
            message = await call(
                password_reset.request_reset, email=email.value, address=address, base=base
            )
        except InvalidInput as caught:
            email.error = caught.reason
            return
        except RateLimited as caught:
            error.text = f'Too many requests. Try again in {wait_text(caught.retry_after)}.'
            error.set_visibility(True)
            return
        except AppError as caught:
            error.text = caught.message
            error.set_visibility(True)
            return
        finally:
            button.enable()
        if message is not None:  # after the answer, so that it takes no longer either way
            background_tasks.create(
                run.io_bound(password_reset.deliver, message), name='tasklight reset email'
            )
        sent.set_visibility(True)

    button.on_click(submit)
    email.on('keydown.enter', submit)


@ui.page('/reset', title='Choose a new password · Tasklight')
async def reset_page(request: Request, token: str = '') -> None:
    try:
        email_of = await call(password_reset.check_link, token=token)
    except InvalidInput:
        with auth_card('Reset link not valid', 'Nothing was changed.'):
            banner(password_reset.INVALID, kind='error').mark('invalid-link')
            if get_settings().smtp_enabled:
                switch_link('Still need one?', 'Ask for a new link', '/forgot')
            switch_link('Remembered it?', 'Sign in', '/login')
        return
    except AppError as caught:
        with auth_card('Choose a new password', ''):
            banner(caught.message, kind='error')
        return

    with auth_card('Choose a new password', f'For {email_of}.'):
        error = error_banner()
        # For password managers: which account the new password belongs to.
        ui.input('Email', value=email_of).props('readonly autocomplete=username').classes('hidden')
        password = (
            ui.input(
                'New password',
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
            .mark('new-password')
        )
        confirm = (
            ui.input(
                'Confirm new password',
                password=True,
                validation={'The passwords do not match.': lambda v: v == password.value},
            )
            .without_auto_validation()
            .props('outlined autocomplete=new-password')
            .classes('w-full')
            .mark('confirm-password')
        )
        button = ui.button('Set password').props('unelevated no-caps size=md').classes('w-full')

    async def submit() -> None:
        error.set_visibility(False)
        password.error = None
        if not (password.validate() and confirm.validate()):
            return
        button.disable()
        try:
            await call(password_reset.reset_password, token=token, new_password=password.value)
        except InvalidInput as caught:
            if caught.field == 'new_password':
                password.error = caught.reason
            else:
                error.text = caught.message
                error.set_visibility(True)
            return
        except AppError as caught:
            error.text = caught.message
            error.set_visibility(True)
            return
        finally:
            button.enable()
        ui.navigate.to('/login?reason=password-reset')

    button.on_click(submit)
    for field in (password, confirm):
        field.on('keydown.enter', submit)
