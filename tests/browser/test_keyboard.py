"""Keyboard only: add, move, complete, edit, delete, undo and go between views without the
mouse, with focus asserted after every step (components/keyboard.py, assets/keys.js)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.test_flows import sign_up

FOCUSED_TASK = "() => document.activeElement?.closest('[data-task]')?.getAttribute('aria-label')"
FOCUSED_PART = """() => {
  const el = document.activeElement;
  const row = el?.closest('[data-task]');
  if (!row) return el?.tagName?.toLowerCase() ?? null;
  if (el === row) return 'row';
  return el.dataset.action || (el.closest('.q-checkbox') ? 'check' : 'other');
}"""


def focused_task(page: Page) -> str | None:
    return page.evaluate(FOCUSED_TASK)


def expect_focus_on(page: Page, title: str, part: str = 'row') -> None:
    # The focus keeper moves focus after the browser has drawn the refreshed rows.
    try:
        page.wait_for_function(
            f'() => ({FOCUSED_TASK})() === {title!r} && ({FOCUSED_PART})() === {part!r}',
            timeout=5000,
        )
    except PlaywrightTimeout:
        now = (focused_task(page), page.evaluate(FOCUSED_PART))
        raise AssertionError(f'focus is on {now}, not on ({title!r}, {part!r})') from None


def type_task(page: Page, title: str) -> None:
    page.keyboard.type(title)
    page.keyboard.press('Enter')
    expect(page.get_by_role('checkbox', name=title)).to_be_visible()
    expect(page.get_by_label('New task')).to_have_value('')


def open_titles(page: Page) -> list[str]:
    return [
        t.strip() for t in page.locator('[role=checkbox][aria-checked=false]').all_inner_texts()
    ]


def test_keyboard_only_add_move_complete_edit_delete_undo_and_go(page: Page) -> None:
    sign_up(page)
    # /tasks opens typing: the new-task field has focus.
    expect(page.get_by_label('New task')).to_be_focused()
    for title in ('Water the plants', 'Book the dentist', 'Renew the passport'):
        type_task(page, title)
    assert open_titles(page) == ['Renew the passport', 'Book the dentist', 'Water the plants']

    # Shortcuts never fire while typing: these letters land in the field.
    page.keyboard.type('jx#')
    expect(page.get_by_label('New task')).to_have_value('jx#')
    page.get_by_label('New task').fill('')

    page.keyboard.press('Escape')  # leave the field
    expect(page.get_by_label('New task')).not_to_be_focused()
    page.keyboard.press('j')
    expect_focus_on(page, 'Renew the passport')
    page.keyboard.press('j')
    expect_focus_on(page, 'Book the dentist')
    page.keyboard.press('ArrowDown')
    expect_focus_on(page, 'Water the plants')
    page.keyboard.press('k')
    expect_focus_on(page, 'Book the dentist')

    # Move up with Alt+ArrowUp: the order changes, focus stays on the task, and it persists.
    page.keyboard.press('Alt+ArrowUp')
    expect(page.locator('[role=checkbox][aria-checked=false]').first).to_have_text(
        'Book the dentist'
    )
    expect_focus_on(page, 'Book the dentist')

    # Priority and due today from the keyboard.
    page.keyboard.press('1')
    dentist = page.locator('[data-task]', has=page.get_by_role('checkbox', name='Book the dentist'))
    expect(dentist.get_by_role('img', name='Priority: high')).to_be_visible()
    expect_focus_on(page, 'Book the dentist')
    page.keyboard.press('t')
    expect(dentist.locator('[data-part=due]')).to_have_text('Today')
    expect_focus_on(page, 'Book the dentist')

    # Complete with x: the task leaves the open rows; focus goes to its neighbour, not <body>.
    page.keyboard.press('x')
    expect(page.get_by_role('button', name='Completed (1)')).to_be_visible()
    expect_focus_on(page, 'Renew the passport')
    assert open_titles(page) == ['Renew the passport', 'Water the plants']

    # Space on a row completes too; z undoes it, and the task comes back.
    page.keyboard.press('Space')
    expect(page.get_by_role('button', name='Completed (2)')).to_be_visible()
    expect_focus_on(page, 'Water the plants')
    page.keyboard.press('z')
    expect(page.get_by_role('button', name='Completed (1)')).to_be_visible()
    expect(page.get_by_role('checkbox', name='Renew the passport')).not_to_be_checked()

    # Edit with e: the dialog takes the keyboard; Enter saves; focus comes back to the task.
    page.keyboard.press('e')
    dialog = page.get_by_role('dialog')
    expect(dialog.get_by_label('Title')).to_be_focused()
    page.keyboard.press('Control+a')
    page.keyboard.type('Water the garden')
    page.keyboard.press('Enter')
    expect(dialog).to_have_count(0)
    expect(page.get_by_role('checkbox', name='Water the garden')).to_be_visible()
    expect_focus_on(page, 'Water the garden')

    # Delete with #: confirm with the keyboard; focus goes to the neighbour; z brings it back.
    page.keyboard.press('#')
    confirm = page.get_by_role('dialog')
    expect(confirm.get_by_role('button', name='Delete')).to_be_visible()
    confirm.get_by_role('button', name='Delete').focus()
    page.keyboard.press('Enter')
    expect(page.get_by_role('checkbox', name='Water the garden')).to_have_count(0)
    expect_focus_on(page, 'Renew the passport')
    page.keyboard.press('z')
    expect(page.get_by_role('checkbox', name='Water the garden')).to_be_visible()

    # Escape in a dialog closes it and leaves the task focused as it was.
    page.keyboard.press('Delete')
    expect(page.get_by_role('dialog')).to_be_visible()
    page.keyboard.press('Escape')
    expect(page.get_by_role('dialog')).to_have_count(0)
    expect(page.get_by_role('checkbox', name='Water the garden')).to_be_visible()
    expect_focus_on(page, 'Renew the passport')
    page.keyboard.press('t')
    passport = page.locator(
        '[data-task]', has=page.get_by_role('checkbox', name='Renew the passport')
    )
    expect(passport.locator('[data-part=due]')).to_have_text('Today')

    # `?` lists the shortcuts in a named dialog.
    page.keyboard.press('?')
    shortcuts = page.get_by_role('dialog', name='Keyboard shortcuts')
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text('Go to Inbox, Today, Upcoming, Completed')
    page.keyboard.press('Escape')
    expect(shortcuts).to_have_count(0)

    # `/` is search; `g t` goes to Today, where the task due today is; `g i` back to the Inbox.
    page.keyboard.press('/')
    expect(page.get_by_label('Search tasks')).to_be_focused()
    page.keyboard.press('Escape')
    page.keyboard.press('g')
    page.keyboard.press('t')
    expect(page).to_have_url(re.compile(r'/tasks/today$'))
    expect(page.get_by_role('checkbox', name='Renew the passport')).to_be_visible()
    page.keyboard.press('g')
    page.keyboard.press('i')
    expect(page).to_have_url(re.compile(r'/tasks$'))
    # A new page: its shortcuts work once its script has run and it is connected, as a person
    # sees it has loaded.
    page.wait_for_function('window.tlKeys !== undefined && window.did_handshake === true')
    page.keyboard.press('n')
    expect(page.get_by_label('New task')).to_be_focused()


def test_the_live_region_says_what_happened(page: Page) -> None:
    sign_up(page)
    expect(page.get_by_label('New task')).to_be_focused()
    type_task(page, 'Announce me')
    region = page.locator('[role=status][aria-live=polite].tl-sr-only')
    expect(region).to_have_text(re.compile('Added “Announce me”'))
    page.get_by_role('checkbox', name='Announce me').click()
    expect(region).to_have_text(re.compile('Completed “Announce me”. Undo with z.'))


def test_the_skip_link_is_the_first_tab_stop_and_goes_to_the_content(page: Page) -> None:
    sign_up(page)
    first = page.evaluate(
        """() => [...document.querySelectorAll('a[href], button, input, [tabindex]')]
            .find((el) => el.tabIndex >= 0 && !el.disabled)?.textContent"""
    )
    assert first == 'Skip to content'
    skip = page.get_by_role('link', name='Skip to content')
    skip.focus()
    box = skip.bounding_box()
    assert box is not None
    assert box['y'] >= 0, 'a focused skip link is on screen'
    page.keyboard.press('Enter')
    page.keyboard.press('Tab')
    outside = page.evaluate("document.activeElement.closest('header, .q-drawer') === null")
    assert outside, 'after the skip link, Tab goes into the content, past the header and lists'
