"""The flows a person walks through, in a real browser."""

from __future__ import annotations

import itertools
import re

import httpx
from playwright.sync_api import Browser, Page, expect

PASSWORD = 'correct horse battery'
_numbers = itertools.count(1)
TICKET_LINK = re.compile(r'/auth/complete\?ticket=')


def sign_up(page: Page) -> str:
    email = f'walker{next(_numbers)}-{id(page)}@example.com'
    page.goto('/signup')
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password', exact=True).fill(PASSWORD)
    page.get_by_label('Confirm password').fill(PASSWORD)
    page.get_by_role('button', name='Sign up').click()
    expect(page).to_have_url(re.compile(r'/tasks$'))
    expect(page.get_by_text(email)).to_be_visible()
    return email


def add(page: Page, title: str) -> None:
    page.get_by_label('New task').fill(title)
    page.get_by_label('New task').press('Enter')
    expect(page.get_by_role('checkbox', name=title)).to_be_visible()


def test_sign_up_add_toggle_reload_edit_delete_sign_out(page: Page) -> None:
    sign_up(page)
    expect(page.get_by_text('No tasks yet')).to_be_visible()
    add(page, 'Buy milk')
    add(page, 'Call the plumber')
    expect(page.get_by_label('New task')).to_have_value('')

    page.get_by_role('checkbox', name='Buy milk').click()
    # a ticked task sinks into the list's collapsed Completed section
    expect(page.get_by_role('checkbox', name='Buy milk')).to_have_count(0)
    completed = page.get_by_role('button', name='Completed (1)')
    expect(completed).to_be_visible()
    page.reload()
    expect(page.get_by_role('checkbox', name='Call the plumber')).not_to_be_checked()
    titles = page.get_by_role('checkbox').all_inner_texts()
    assert [t.strip() for t in titles] == ['Call the plumber']
    page.get_by_role('button', name='Completed (1)').click()
    expect(page.get_by_role('checkbox', name='Buy milk')).to_be_checked()

    plumber = page.locator('.q-card', has=page.get_by_role('checkbox', name='Call the plumber'))
    plumber.get_by_role('button', name='Edit').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Title').fill('Call the electrician')
    dialog.get_by_label('Description').fill('Ask about the fuse box')
    dialog.get_by_role('button', name='Save').click()
    expect(page.get_by_role('checkbox', name='Call the electrician')).to_be_visible()
    expect(page.get_by_text('Ask about the fuse box')).to_be_visible()

    milk = page.locator('.q-card', has=page.get_by_role('checkbox', name='Buy milk'))
    milk.get_by_role('button', name='Delete').click()
    page.get_by_role('dialog').get_by_role('button', name='Delete').click()
    expect(page.get_by_role('checkbox', name='Buy milk')).to_have_count(0)
    page.reload()
    expect(page.get_by_role('checkbox', name='Buy milk')).to_have_count(0)

    page.get_by_role('button', name='Sign out').click()
    expect(page).to_have_url(re.compile(r'/login'))
    expect(page.get_by_text('You have been signed out.')).to_be_visible()
    page.go_back()
    page.goto('/tasks')
    expect(page).to_have_url(re.compile(r'/login'))
    expect(page.get_by_label('New task')).to_have_count(0)


def test_two_tabs_of_one_person_update_live(page: Page) -> None:
    sign_up(page)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_label('New task')).to_be_visible()
    add(page, 'Appears everywhere')
    expect(other.get_by_role('checkbox', name='Appears everywhere')).to_be_visible(timeout=2000)
    other.get_by_role('checkbox', name='Appears everywhere').click()
    expect(page.get_by_role('checkbox', name='Appears everywhere')).to_have_count(0, timeout=2000)
    expect(page.get_by_role('button', name='Completed (1)')).to_be_visible()
    other.close()


def test_signing_out_in_one_tab_signs_out_the_others_at_once(page: Page) -> None:
    sign_up(page)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_label('New task')).to_be_visible()
    page.get_by_role('button', name='Sign out').click()
    expect(other).to_have_url(re.compile(r'/login'), timeout=3000)  # without touching it
    expect(other.get_by_text('You have been signed out.')).to_be_visible()
    other.close()


def test_another_person_sees_none_of_it(page: Page, browser: Browser, base_url: str) -> None:
    sign_up(page)
    add(page, 'Private to the first person')
    stranger = browser.new_context(base_url=base_url).new_page()
    sign_up(stranger)
    add(stranger, 'Stranger task')
    expect(stranger.get_by_role('checkbox', name='Private to the first person')).to_have_count(0)
    expect(page.get_by_role('checkbox', name='Stranger task')).to_have_count(0)
    stranger.context.close()


def test_markup_is_shown_as_text_and_never_runs(page: Page) -> None:
    dialogs: list[str] = []
    page.on('dialog', lambda d: (dialogs.append(d.message), d.dismiss()))
    sign_up(page)
    payload = '<img src=x onerror=alert(1)>'
    add(page, payload)
    expect(page.get_by_text(payload, exact=True)).to_be_visible()
    page.reload()
    expect(page.get_by_text(payload, exact=True)).to_be_visible()
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []


def test_phone_width_has_no_sideways_scrolling(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={'width': 360, 'height': 740})
    page = context.new_page()
    sign_up(page)
    add(page, 'A rather long task title that has to wrap nicely on a small phone screen')
    add(page, 'x' * 120)
    for path in ('/tasks', '/login'):
        if path == '/login':
            page.get_by_role('button', name='Sign out').click()
            expect(page).to_have_url(re.compile(r'/login'))
        overflow = page.evaluate('document.documentElement.scrollWidth - window.innerWidth')
        assert overflow <= 0, f'{path} scrolls sideways by {overflow}px'
    context.close()


def test_wrong_password_is_shown_plainly(page: Page) -> None:
    page.goto('/login')
    page.get_by_label('Email').fill('nobody@example.com')
    page.get_by_label('Password').fill('not the password')
    page.get_by_label('Password').press('Enter')
    expect(page.get_by_text('Invalid email or password')).to_be_visible()
    expect(page).to_have_url(re.compile(r'/login'))


def test_a_change_on_another_instance_appears_live(
    browser: Browser, two_instances: tuple[str, str]
) -> None:
    """The tab is served by one instance; a script changes tasks through the other one."""
    first, second = two_instances
    page = browser.new_context(base_url=first).new_page()
    email = sign_up(page)
    api = httpx.Client(base_url=second)
    token = api.post('/api/auth/login', json={'email': email, 'password': PASSWORD}).json()
    headers = {'Authorization': f'Bearer {token["access_token"]}'}
    created = api.post('/api/tasks', json={'title': 'Made on instance B'}, headers=headers)
    assert created.status_code == 201
    expect(page.get_by_role('checkbox', name='Made on instance B')).to_be_visible(timeout=2000)
    api.patch(f'/api/tasks/{created.json()["id"]}/toggle', headers=headers)
    expect(page.get_by_role('checkbox', name='Made on instance B')).to_have_count(0, timeout=2000)
    expect(page.get_by_role('button', name='Completed (1)')).to_be_visible()
    page.context.close()


def test_sign_out_then_sign_in_again_with_the_form(page: Page) -> None:
    email = sign_up(page)
    page.get_by_role('button', name='Sign out').click()
    expect(page.get_by_text('You have been signed out.')).to_be_visible()
    cookies = {c['name'] for c in page.context.cookies()}
    assert 'tasklight_session' not in cookies
    assert {'tasklight_signin', 'tasklight_device'} <= cookies
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password').fill(PASSWORD)
    page.get_by_label('Password').press('Enter')
    expect(page).to_have_url(re.compile(r'/tasks$'))
    expect(page.get_by_text(email)).to_be_visible()


def test_a_sign_in_link_opened_in_another_browser_signs_nobody_in(
    page: Page, browser: Browser, base_url: str
) -> None:
    email = sign_up(page)
    page.get_by_role('button', name='Sign out').click()
    expect(page.get_by_text('You have been signed out.')).to_be_visible()
    # Hold the ticket link back, as someone could pass it on, instead of following it.
    page.route(TICKET_LINK, lambda route: route.abort())
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password').fill(PASSWORD)
    with page.expect_request(TICKET_LINK) as held:
        page.get_by_role('button', name='Sign in').click()
    link = held.value.url
    other = browser.new_context(base_url=base_url).new_page()
    other.goto(link)
    expect(other).to_have_url(re.compile(r'/login\?reason=ticket'))
    expect(other.get_by_text('That sign-in took too long. Please sign in again.')).to_be_visible()
    other.goto('/tasks')
    expect(other).to_have_url(re.compile(r'/login'))
    other.context.close()
