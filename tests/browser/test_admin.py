"""The Admin page in a real browser: an admin deactivates someone, and that person's open tab
leaves the dashboard at once; they cannot sign in again until reactivated."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import running_main

PASSWORD = 'correct horse battery'
# Generous: only a failure waits this long, and the machine's cores may all be busy.
WAIT = 20_000


@pytest.fixture(scope='module')
def team_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`python main.py` where ADMIN_EMAILS names the admin."""
    data: Path = tmp_path_factory.mktemp('admin-data')
    with running_main(data, ADMIN_EMAILS='boss@example.com') as url:
        yield url


def sign_up(page: Page, email: str) -> None:
    page.goto('/signup')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password', exact=True).fill(PASSWORD)
    page.get_by_label('Confirm password').fill(PASSWORD)
    page.get_by_role('button', name='Sign up').click()
    expect(page).to_have_url(re.compile(r'/tasks$'), timeout=WAIT)


def test_deactivating_someone_sends_their_open_tab_to_sign_in(
    browser: Browser, team_server: str
) -> None:
    boss_context = browser.new_context(base_url=team_server)
    alice_context = browser.new_context(base_url=team_server)
    boss, alice = boss_context.new_page(), alice_context.new_page()
    sign_up(alice, 'alice@example.com')
    expect(alice.get_by_role('link', name='Admin')).to_have_count(0)
    sign_up(boss, 'boss@example.com')

    boss.get_by_role('link', name='Admin').click()
    expect(boss).to_have_url(re.compile(r'/admin$'), timeout=WAIT)
    people = boss.get_by_role('region', name='People')
    expect(people.get_by_text('alice@example.com')).to_be_visible(timeout=WAIT)
    people.get_by_role('button', name='Deactivate alice@example.com').click()

    # Alice's tab leaves by itself, without a reload.
    expect(alice).to_have_url(re.compile(r'/login'), timeout=WAIT)
    expect(people.get_by_text('Deactivated')).to_be_visible(timeout=WAIT)
    alice.get_by_label('Email').fill('alice@example.com')
    alice.get_by_label('Password').fill(PASSWORD)
    alice.get_by_role('button', name='Sign in').click()
    expect(alice.get_by_text('This account has been deactivated.')).to_be_visible(timeout=WAIT)

    people.get_by_role('button', name='Reactivate alice@example.com').click()
    deactivate = people.get_by_role('button', name='Deactivate alice@example.com')
    expect(deactivate).to_be_visible(timeout=WAIT)
    alice.get_by_label('Password').fill(PASSWORD)  # a refused sign-in empties it
    alice.get_by_role('button', name='Sign in').click()
    expect(alice).to_have_url(re.compile(r'/tasks$'), timeout=WAIT)

    alice.goto('/admin')  # for anyone else it is not there
    expect(alice.get_by_text("This page doesn't exist.")).to_be_visible(timeout=WAIT)
    boss_context.close()
    alice_context.close()
