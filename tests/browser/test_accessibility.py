"""Accessibility and themes in real Chromium: axe-core (from the npm registry, package.json)
finds no violations on sign-in, sign-up, the 404 page, the dashboard (empty, with tasks, with the
edit dialog or the keyboard dialog open), Today and Settings, in the light and the dark theme, at
desktop and phone width; every state is photographed (build/screens/) and checked to be
in the theme asked for. The header's theme menu switches at once and the choice follows the
person to a new page."""

from __future__ import annotations

import re
from datetime import date, timedelta
from itertools import count

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import ROOT

AXE = ROOT / 'node_modules' / 'axe-core' / 'axe.min.js'
SCREENS = ROOT / 'build' / 'screens'  # test-results/ is emptied by pytest-playwright
PASSWORD = 'correct horse battery'
WAIT = 20_000
BACKGROUND = {'light': 'rgb(248, 250, 252)', 'dark': 'rgb(15, 23, 42)'}
VIEWPORTS = {'desktop': {'width': 1280, 'height': 800}, 'phone': {'width': 390, 'height': 844}}
_numbers = count(1)


@pytest.fixture(scope='module')
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail(f'{AXE} is missing: run `npm ci` (scripts/test does)')
    return AXE.read_text()


def connected(page: Page) -> None:
    """The page's websocket is up, so what the server renders after it has arrived."""
    page.wait_for_function('window.did_handshake === true', timeout=WAIT)


def violations(page: Page, axe_source: str) -> list[str]:
    if not page.evaluate('typeof window.axe !== "undefined"'):
        page.add_script_tag(content=axe_source)
    found = page.evaluate(
        """async () => (await axe.run(document)).violations.flatMap(v => v.nodes.map(n =>
               `${v.id} (${v.impact}): ${n.target.join(' ')} ${n.html.slice(0, 120)}`
               + ` ${(n.any[0] || n.all[0] || n.none[0] || {}).message || ''}`))"""
    )
    return list(found)


def check(page: Page, axe_source: str, theme: str, name: str) -> None:
    """No axe violations, the theme's own background, and a screenshot to look at."""
    expect(page.locator('body')).to_have_css('background-color', BACKGROUND[theme], timeout=WAIT)
    page.evaluate('document.fonts.ready')
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f'{name}.png'), full_page=True)
    found = violations(page, axe_source)
    assert found == [], f'{name}: ' + '\n'.join(found)


def api_token(base_url: str, email: str) -> str:
    answer = httpx.post(
        f'{base_url}/api/auth/login', json={'email': email, 'password': PASSWORD}, timeout=10
    )
    answer.raise_for_status()
    return str(answer.json()['access_token'])


def api_task(base_url: str, token: str, **fields: object) -> None:
    headers = {'Authorization': f'Bearer {token}'}
    httpx.post(f'{base_url}/api/tasks', json=fields, headers=headers, timeout=10).raise_for_status()


def sign_up(page: Page) -> str:
    email = f'reader{next(_numbers)}@example.com'
    page.goto('/signup')
    connected(page)
    page.get_by_label('Email').fill(email)
    page.get_by_label('Password', exact=True).fill(PASSWORD)
    page.get_by_label('Confirm password').fill(PASSWORD)
    page.get_by_role('button', name='Sign up').click()
    expect(page).to_have_url(re.compile(r'/tasks$'), timeout=WAIT)
    connected(page)
    return email


@pytest.mark.parametrize('theme', ['light', 'dark'])
@pytest.mark.parametrize('width', ['desktop', 'phone'])
def test_every_screen_passes_axe_in_both_themes(
    browser: Browser, base_url: str, axe_source: str, theme: str, width: str
) -> None:
    context = browser.new_context(base_url=base_url, color_scheme=theme, viewport=VIEWPORTS[width])
    page = context.new_page()
    tag = f'{theme}-{width}'
    page.goto('/login')
    connected(page)
    check(page, axe_source, theme, f'{tag}-login')
    page.goto('/signup')
    connected(page)
    check(page, axe_source, theme, f'{tag}-signup')
    page.goto('/no/such/page')
    expect(page.get_by_role('heading', level=1)).to_have_text("This page doesn't exist.")
    check(page, axe_source, theme, f'{tag}-not-found')

    email = sign_up(page)
    expect(page.get_by_text('No tasks yet')).to_be_visible(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-empty')

    token = api_token(base_url, email)
    today = date.today()
    api_task(base_url, token, title='Renew the passport', due_date=str(today - timedelta(days=3)))
    api_task(base_url, token, title='Pay the rent', due_date=str(today), priority=3)
    api_task(base_url, token, title='Plan the trip', description='Trains, not planes', priority=1)
    api_task(base_url, token, title='خرید نان')  # a right-to-left title
    for title in ('Renew the passport', 'Pay the rent', 'Plan the trip', 'خرید نان'):
        expect(page.get_by_role('checkbox', name=title)).to_be_visible(timeout=WAIT)
    page.get_by_role('checkbox', name='Plan the trip').click()
    expect(page.get_by_role('region', name='Undo')).to_be_visible(timeout=WAIT)
    page.get_by_text('Completed (1)').click()  # the done task, struck through, is checked too
    expect(page.get_by_role('checkbox', name='Plan the trip')).to_be_checked(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-tasks')

    card = page.locator('.q-card', has=page.get_by_role('checkbox', name='Pay the rent'))
    if width == 'phone':  # Edit is in the row's menu there
        card.get_by_role('button', name='More actions').click()
        page.get_by_role('menuitem', name='Edit').click()
        expect(page.locator('.q-menu')).to_have_count(0, timeout=WAIT)  # closed, not closing
    else:
        card.get_by_role('button', name='Edit').click()
    expect(page.get_by_role('dialog', name='Edit task')).to_be_visible(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-edit-dialog')
    page.keyboard.press('Escape')
    expect(page.get_by_role('dialog')).to_have_count(0, timeout=WAIT)
    page.get_by_role('button', name='Keyboard shortcuts').or_(
        page.get_by_role('button', name='Menu')
    ).first.focus()  # a key pressed outside any field
    page.keyboard.press('?')
    expect(page.get_by_role('dialog', name='Keyboard shortcuts')).to_be_visible(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-shortcuts-dialog')
    page.keyboard.press('Escape')
    expect(page.get_by_role('dialog')).to_have_count(0, timeout=WAIT)

    page.goto('/tasks/today')
    connected(page)
    expect(page.get_by_role('checkbox', name='Renew the passport')).to_be_visible(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-today')

    page.goto('/settings')
    connected(page)
    expect(page.get_by_role('heading', name='Settings', level=1)).to_be_visible(timeout=WAIT)
    check(page, axe_source, theme, f'{tag}-settings')
    context.close()


def test_the_theme_menu_switches_at_once_and_follows_the_person(
    browser: Browser, base_url: str
) -> None:
    light = browser.new_context(base_url=base_url, color_scheme='light')
    page = light.new_page()
    email = sign_up(page)
    body = page.locator('body')
    expect(body).to_have_css('background-color', BACKGROUND['light'], timeout=WAIT)
    menu = page.get_by_role('button', name='Theme: Match system')
    menu.click()
    page.get_by_role('menuitemradio', name='Dark').click()
    expect(body).to_have_css('background-color', BACKGROUND['dark'], timeout=WAIT)
    expect(page.get_by_role('button', name='Theme: Dark')).to_be_visible(timeout=WAIT)
    page.reload()
    connected(page)
    expect(body).to_have_css('background-color', BACKGROUND['dark'], timeout=WAIT)

    # Another device whose system is light: the person's choice wins there too.
    other = browser.new_context(base_url=base_url, color_scheme='light')
    second = other.new_page()
    second.goto('/login')
    connected(second)
    second.get_by_label('Email').fill(email)
    second.get_by_label('Password').fill(PASSWORD)
    second.get_by_role('button', name='Sign in').click()
    expect(second).to_have_url(re.compile(r'/tasks$'), timeout=WAIT)
    expect(second.locator('body')).to_have_css('background-color', BACKGROUND['dark'], timeout=WAIT)
    second.get_by_role('button', name='Theme: Dark').click()
    item = second.get_by_role('menuitemradio', name='Match system')
    expect(second.get_by_role('menuitemradio', name='Dark')).to_have_attribute(
        'aria-checked', 'true'
    )
    item.click()
    expect(second.locator('body')).to_have_css(
        'background-color', BACKGROUND['light'], timeout=WAIT
    )
    light.close()
    other.close()


def test_axe_finds_what_it_is_asked_to(page: Page, axe_source: str, base_url: str) -> None:
    """The check itself can fail: a page with an unnamed button and no lang has violations."""
    page.goto('/login')
    connected(page)
    page.evaluate(
        """() => { document.documentElement.removeAttribute('lang');
                   document.body.appendChild(document.createElement('button')); }"""
    )
    found = violations(page, axe_source)
    assert any(line.startswith('html-has-lang') for line in found)
    assert any(line.startswith('button-name') for line in found)
