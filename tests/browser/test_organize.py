"""Lists, due dates, your own order and undo, as a person walks through them in Chromium."""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

from tests.browser.test_flows import add, sign_up


def row(page: Page, title: str) -> Locator:
    return page.locator('.q-card', has=page.get_by_role('checkbox', name=title))


def open_titles(page: Page) -> list[str]:
    """The titles of the open tasks on screen, top to bottom."""
    boxes = page.locator('[role=checkbox][aria-checked=false]')
    return [text.strip() for text in boxes.all_inner_texts()]


def new_list(page: Page, name: str) -> None:
    page.get_by_role('button', name='New list').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Name').fill(name)
    dialog.get_by_role('button', name='Create').click()
    expect(page).to_have_url(re.compile(r'/lists/\d+$'))
    expect(page.get_by_role('heading', name=name)).to_be_visible()


def nav(page: Page, name: str) -> Locator:
    return page.get_by_role('navigation').get_by_role('link', name=re.compile(f'^{name}'))


def test_a_new_list_holds_its_tasks_and_counts_them(page: Page) -> None:
    sign_up(page)
    new_list(page, 'Groceries')
    add(page, 'Oat milk')
    expect(nav(page, 'Groceries')).to_contain_text('1')
    nav(page, 'Inbox').click()
    expect(page).to_have_url(re.compile(r'/tasks$'))
    expect(page.get_by_role('checkbox', name='Oat milk')).to_have_count(0)
    page.go_back()
    expect(page.get_by_role('checkbox', name='Oat milk')).to_be_visible()


def test_drag_to_reorder_survives_a_reload(page: Page) -> None:
    sign_up(page)
    for title in ('First', 'Second', 'Third'):
        add(page, title)
    expect(page.get_by_role('checkbox', name='First')).to_be_visible()
    assert open_titles(page) == ['Third', 'Second', 'First']  # new tasks go on top
    row(page, 'First').drag_to(row(page, 'Third'), target_position={'x': 40, 'y': 4})
    expect(page.locator('[role=checkbox][aria-checked=false]').first).to_have_text('First')
    assert open_titles(page) == ['First', 'Third', 'Second']
    page.reload()
    expect(page.get_by_role('checkbox', name='First')).to_be_visible()
    assert open_titles(page) == ['First', 'Third', 'Second']


def test_drag_onto_a_list_in_the_sidebar_moves_the_task_there(page: Page) -> None:
    sign_up(page)
    new_list(page, 'Work')
    nav(page, 'Inbox').click()
    add(page, 'Send the invoice')
    row(page, 'Send the invoice').drag_to(nav(page, 'Work'))
    expect(page.get_by_role('checkbox', name='Send the invoice')).to_have_count(0)
    expect(nav(page, 'Work')).to_contain_text('1')
    nav(page, 'Work').click()
    expect(page.get_by_role('checkbox', name='Send the invoice')).to_be_visible()


def test_a_task_due_today_shows_in_today(page: Page) -> None:
    sign_up(page)
    page.get_by_label('New task').fill('Water the plants')
    page.get_by_role('button', name='Due date').click()
    page.get_by_role('button', name='Today', exact=True).click()
    page.get_by_label('New task').press('Enter')
    expect(page.get_by_role('checkbox', name='Water the plants')).to_be_visible()
    nav(page, 'Today').click()
    expect(page).to_have_url(re.compile(r'/tasks/today$'))
    expect(page.get_by_role('checkbox', name='Water the plants')).to_be_visible()
    nav(page, 'Upcoming').click()
    expect(page.get_by_role('checkbox', name='Water the plants')).to_be_visible()


def test_undo_brings_a_deleted_task_back(page: Page) -> None:
    sign_up(page)
    add(page, 'Keep me after all')
    row(page, 'Keep me after all').get_by_role('button', name='Delete').click()
    page.get_by_role('dialog').get_by_role('button', name='Delete').click()
    expect(page.get_by_role('checkbox', name='Keep me after all')).to_have_count(0)
    page.get_by_role('button', name='Undo').click()
    expect(page.get_by_role('checkbox', name='Keep me after all')).to_be_visible()
    page.reload()
    expect(page.get_by_role('checkbox', name='Keep me after all')).to_be_visible()


def test_on_a_phone_the_lists_are_in_a_drawer(page: Page) -> None:
    page.set_viewport_size({'width': 390, 'height': 844})
    sign_up(page)
    expect(nav(page, 'Today')).not_to_be_in_viewport()
    page.get_by_role('button', name='Menu').click()
    expect(nav(page, 'Today')).to_be_in_viewport()
    nav(page, 'Today').click()
    expect(page).to_have_url(re.compile(r'/tasks/today$'))
    expect(nav(page, 'Today')).not_to_be_in_viewport()


def test_sharing_a_list_by_email_and_working_in_it_together(page: Page, base_url: str) -> None:
    """Two people in two browsers: one shares a list, the other sees it arrive, adds to it, and
    the first sees that at once; a list shared to view only takes no changes."""
    colleague = page.context.browser.new_context(base_url=base_url)  # type: ignore[union-attr]
    other = colleague.new_page()
    try:
        their_email = sign_up(other)
        sign_up(page)
        new_list(page, 'Launch')
        add(page, 'Book the venue')
        page.get_by_role('button', name='Options for Launch').click()
        page.locator('.q-menu').get_by_text('Share…', exact=True).click()
        dialog = page.get_by_role('dialog', name='Share Launch')
        dialog.get_by_label('Email').fill(their_email)
        dialog.get_by_role('button', name='Share', exact=True).click()
        expect(dialog.get_by_text(their_email)).to_be_visible()
        dialog.get_by_role('button', name='Done').click()

        # It arrives in the colleague's sidebar without a reload, under Shared with me.
        expect(nav(other, 'Launch')).to_be_visible()
        expect(other.get_by_text('Shared with me')).to_be_visible()
        nav(other, 'Launch').click()
        expect(other.get_by_role('checkbox', name='Book the venue')).to_be_visible()
        add(other, 'Order the cake')
        expect(page.get_by_role('checkbox', name='Order the cake')).to_be_visible()

        # Made view-only: the colleague's page follows and offers no changes.
        page.get_by_role('button', name='Options for Launch').click()
        page.locator('.q-menu').get_by_text('Share…', exact=True).click()
        dialog = page.get_by_role('dialog', name='Share Launch')
        dialog.get_by_label(f'Permission of {their_email}').click()
        page.get_by_role('option', name='Can view').click()
        expect(other.get_by_text('Shared with you to view')).to_be_visible()
        expect(other.get_by_role('checkbox', name='Book the venue')).to_be_disabled()
        expect(other.get_by_label('New task')).to_be_hidden()
    finally:
        colleague.close()
