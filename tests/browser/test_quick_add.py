"""Quick add typed for real in Chromium: the chips appear as the words are typed, Enter puts the
task in the list named with its date and priority, and ✕ or Backspace keep the words."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.test_flows import sign_up
from tests.browser.test_organize import nav, new_list, row


def chips(page: Page) -> Locator:
    return page.get_by_role('group', name='Read from the title')


def type_title(page: Page, text: str) -> None:
    field = page.get_by_label('New task')
    field.click()
    field.press_sequentially(text)  # key by key, as a person types


def test_pay_rent_tomorrow_high_in_home(page: Page) -> None:
    sign_up(page)
    new_list(page, 'Home')
    nav(page, 'Inbox').click()
    expect(page.get_by_role('heading', name='Inbox')).to_be_visible()
    type_title(page, 'Pay rent tomorrow !1 #Home')
    expect(chips(page)).to_contain_text(re.compile(r'\w{3} \d{1,2} \w{3}.*High.*Home'))
    for name in (
        'Don’t read “tomorrow” as a date',
        'Don’t read “!1” as a priority',
        'Don’t read “#Home” as a list',
    ):
        expect(chips(page).get_by_role('button', name=name)).to_be_visible()
    page.get_by_label('New task').press('Enter')
    expect(page.get_by_label('New task')).to_have_value('')
    expect(chips(page)).to_be_hidden()
    said = 'Added “Pay rent” to Home'  # it went elsewhere: shown, and said to screen readers
    expect(page.locator('#q-notify').get_by_text(said)).to_be_visible()
    expect(page.get_by_role('status')).to_have_text(said)
    expect(page.get_by_role('checkbox', name='Pay rent')).to_have_count(0)  # not in the Inbox
    nav(page, 'Home').click()
    task = row(page, 'Pay rent')
    expect(task).to_be_visible()
    expect(task.locator('[data-part="due"]')).to_have_text('Tomorrow')
    expect(task.get_by_role('img', name='Priority: high')).to_be_visible()


def test_the_cross_and_backspace_keep_the_words_in_the_title(page: Page) -> None:
    sign_up(page)
    field = page.get_by_label('New task')
    type_title(page, 'Call mom tomorrow')
    undo = chips(page).get_by_role('button', name='Don’t read “tomorrow” as a date')
    expect(undo).to_be_visible()
    undo.click()
    expect(chips(page)).to_be_hidden()
    expect(field).to_be_focused()  # back where the person was typing
    field.press('Enter')
    task = row(page, 'Call mom tomorrow')
    expect(task).to_be_visible()
    expect(task.locator('[data-part="due"]')).to_have_count(0)

    # Backspace right after a word was read undoes the reading, not the last letter.
    type_title(page, 'Pay rent fri')
    expect(chips(page)).to_contain_text(re.compile(r'\w{3} \d{1,2} \w{3}'))
    expect(page.locator('[data-qa-undo]')).to_have_count(1)  # the server has seen it
    field.press('Backspace')
    expect(chips(page)).to_be_hidden()
    expect(field).to_have_value('Pay rent fri')
    field.press('Backspace')  # now it deletes as always
    expect(field).to_have_value('Pay rent fr')
    field.press_sequentially('i !2')  # typed again, then more: read again, and Enter adds it
    expect(chips(page)).to_contain_text(re.compile(r'\w{3} \d{1,2} \w{3}.*Medium'))
    field.press('Enter')
    task = row(page, 'Pay rent')
    expect(task).to_be_visible()
    expect(task.get_by_role('img', name='Priority: medium')).to_be_visible()
    due = re.compile(r'^(Today|Tomorrow|\w{3} \d+ \w{3})')  # the coming Friday, whichever it is
    expect(task.locator('[data-part="due"]')).to_have_text(due)
