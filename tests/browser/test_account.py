"""The account in a real browser: a password change signs the other tab out, deleting the
account ends everything, and a Todoist export comes in through the upload control."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_flows import sign_up

PASSWORD = 'correct horse battery'
NEW_PASSWORD = 'a much better secret'
DATA = Path(__file__).resolve().parents[1] / 'data'


def sign_in(page: Page, email: str, password: str) -> None:
    page.goto('/login')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password').fill(password)
    page.get_by_role('button', name='Sign in').click()


def open_settings(page: Page) -> None:
    page.get_by_role('link', name='Settings').click()
    expect(page).to_have_url(re.compile(r'/settings$'))
    expect(page.get_by_role('heading', level=1, name='Settings')).to_be_visible()


def test_changing_the_password_signs_the_other_tab_out(page: Page) -> None:
    email = sign_up(page)
    other = page.context.new_page()
    other.goto('/tasks')  # the same browser: another tab on the same sign-in...
    expect(other.get_by_label('New task')).to_be_visible()
    second = page.context.browser.new_context(base_url=page.url.split('/tasks')[0])  # type: ignore[union-attr]
    elsewhere = second.new_page()
    sign_in(elsewhere, email, PASSWORD)  # ...and another device, signed in on its own
    expect(elsewhere).to_have_url(re.compile(r'/tasks$'))

    open_settings(page)
    account = page.get_by_role('region', name='Account')
    account.get_by_label('Current password').fill(PASSWORD)
    account.get_by_label('New password', exact=True).fill(NEW_PASSWORD)
    account.get_by_label('Confirm new password').fill(NEW_PASSWORD)
    account.get_by_role('button', name='Change password').click()
    expect(
        page.get_by_text('Password changed. You are signed out everywhere else.')
    ).to_be_visible()
    # The other device leaves at once, without a reload; this browser's tabs share this
    # sign-in and stay.
    expect(elsewhere).to_have_url(re.compile(r'/login'))
    expect(elsewhere.get_by_text('You have been signed out.')).to_be_visible()
    expect(other.get_by_label('New task')).to_be_visible()
    sign_in(elsewhere, email, PASSWORD)
    expect(elsewhere.get_by_text('Invalid email or password')).to_be_visible()
    sign_in(elsewhere, email, NEW_PASSWORD)
    expect(elsewhere).to_have_url(re.compile(r'/tasks$'))
    second.close()


def test_deleting_the_account_ends_every_tab_and_the_sign_in(page: Page) -> None:
    email = sign_up(page)
    second = page.context.browser.new_context(base_url=page.url.split('/tasks')[0])  # type: ignore[union-attr]
    elsewhere = second.new_page()
    sign_in(elsewhere, email, PASSWORD)
    expect(elsewhere).to_have_url(re.compile(r'/tasks$'))

    open_settings(page)
    page.get_by_role('button', name='Delete account…').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Type “delete my account” to confirm').fill('delete my account')
    dialog.get_by_label('Your password').fill('not my password')
    dialog.get_by_role('button', name='Delete account').click()
    expect(dialog.get_by_text('Password is incorrect.')).to_be_visible()
    expect(dialog.get_by_label('Type “delete my account” to confirm')).to_have_value(
        'delete my account'
    )
    dialog.get_by_label('Your password').fill(PASSWORD)
    dialog.get_by_role('button', name='Delete account').click()
    expect(page).to_have_url(re.compile(r'/login'))
    expect(page.get_by_text('Your account and everything in it have been deleted.')).to_be_visible()
    expect(elsewhere).to_have_url(re.compile(r'/login'))
    sign_in(page, email, PASSWORD)
    expect(page.get_by_text('Invalid email or password')).to_be_visible()
    second.close()


def test_a_todoist_csv_comes_in_through_the_upload_control(page: Page) -> None:
    sign_up(page)
    open_settings(page)
    data = page.get_by_role('region', name='Your data')
    # The drop zone's own file input: what a drop or "choose a file" hands the uploader.
    data.locator('input[type=file]').set_input_files(DATA / 'todoist-home.csv')
    expect(page.get_by_text('This file will add 5 tasks and 2 new lists.')).to_be_visible()
    expect(page.get_by_text('Line 4: due date "every saturday" not understood')).to_be_visible()
    data.get_by_role('button', name='Import', exact=True).click()
    expect(page.get_by_text('Imported 5 tasks and 2 new lists.')).to_be_visible()
    page.get_by_role('link', name='Open your lists').click()
    expect(page).to_have_url(re.compile(r'/tasks$'))
    home = page.get_by_role('link', name=re.compile(r'^todoist-home 3 open'))
    expect(home).to_be_visible()
    home.click()
    expect(page.get_by_role('checkbox', name='Call the plumber @home')).to_be_visible()
    expect(page.get_by_role('checkbox', name='Buy light bulbs')).to_be_visible()
    page.get_by_role('link', name=re.compile(r'^todoist-home \/ Garden 2 open')).click()
    expect(page.get_by_role('checkbox', name='Mow the lawn, front and back')).to_be_visible()
    expect(page.get_by_role('checkbox', name='Plant tulip bulbs')).to_be_visible()
