"""Density and phones in real Chromium: at 390 px a row is its title and one 44 px menu button
(Edit and Delete are in that menu), every row button is a 44x44 touch target; on a wide screen a
one-line task is one line; turning a page starts the new page at its top."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, expect

from tests.browser.test_accessibility import (
    VIEWPORTS,
    WAIT,
    api_task,
    api_token,
    connected,
    sign_up,
)

PHONE_TITLE = 'Call the dentist about the appointment next week'


def test_on_a_phone_a_row_is_its_title_and_a_menu_with_touch_sized_buttons(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS['phone'], has_touch=True)
    page = context.new_page()
    email = sign_up(page)
    api_task(base_url, api_token(base_url, email), title=PHONE_TITLE, priority=3)
    row = page.locator('.tl-row', has=page.get_by_role('checkbox', name=PHONE_TITLE))
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.get_by_role('button', name='Edit')).to_be_hidden()
    expect(row.get_by_role('button', name='Delete')).to_be_hidden()
    more = row.get_by_role('button', name='More actions')
    box = more.bounding_box()
    assert box is not None
    assert box['width'] >= 44, box
    assert box['height'] >= 44, box
    title = row.locator('.q-checkbox__label').bounding_box()
    row_box = row.bounding_box()
    assert title is not None
    assert row_box is not None
    # The title has the row but for the checkbox, the priority flag and the menu button.
    assert title['width'] >= row_box['width'] - 140, (title, row_box)

    more.tap()
    page.get_by_role('menuitem', name='Edit').tap()
    expect(page.get_by_role('dialog', name='Edit task')).to_be_visible(timeout=WAIT)
    page.keyboard.press('Escape')
    expect(page.get_by_role('dialog')).to_have_count(0, timeout=WAIT)
    more.tap()
    page.get_by_role('menuitem', name='Delete').tap()
    page.get_by_role('dialog').get_by_role('button', name='Delete').tap()
    expect(page.get_by_role('checkbox', name=PHONE_TITLE)).to_have_count(0, timeout=WAIT)
    context.close()


def test_on_a_wide_screen_a_one_line_task_is_one_line(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS['desktop'])
    page = context.new_page()
    email = sign_up(page)
    api_task(base_url, api_token(base_url, email), title='Water the plants', priority=2)
    row = page.locator('.tl-row', has=page.get_by_role('checkbox', name='Water the plants'))
    expect(row).to_be_visible(timeout=WAIT)
    expect(row.get_by_role('button', name='Edit')).to_be_visible()
    box = row.bounding_box()
    assert box is not None
    assert box['height'] <= 52, box  # was 78, with the times line below the title
    context.close()


def test_turning_a_page_starts_at_its_top(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS['phone'])
    page = context.new_page()
    email = sign_up(page)
    token = api_token(base_url, email)
    for number in range(1, 31):
        api_task(base_url, token, title=f'Chore {number:02d}')
    pager = page.get_by_role('button', name=re.compile('^2$'))
    expect(pager).to_be_visible(timeout=WAIT)
    pager.scroll_into_view_if_needed()
    heading = page.get_by_role('heading', level=1)
    expect(heading).not_to_be_in_viewport()
    pager.click()
    expect(page).to_have_url(re.compile(r'page=2'), timeout=WAIT)
    connected(page)
    expect(heading).to_be_in_viewport(timeout=WAIT)
    context.close()


def test_right_to_left_titles_read_right_to_left_and_focus_is_a_ring(
    browser: Browser, base_url: str
) -> None:
    context = browser.new_context(base_url=base_url, viewport=VIEWPORTS['desktop'])
    page = context.new_page()
    email = sign_up(page)
    api_task(base_url, api_token(base_url, email), title='خرید نان و شیر')
    label = page.get_by_role('checkbox', name='خرید نان و شیر').locator('.q-checkbox__label')
    expect(label).to_be_visible(timeout=WAIT)
    # The text hugs the label's right edge, as dir="auto" would place it.
    edges = label.evaluate(
        """label => {
            const range = document.createRange();
            range.selectNodeContents(label);
            const text = range.getBoundingClientRect(), box = label.getBoundingClientRect();
            return [text.right, box.right, text.left, box.left];
        }"""
    )
    text_right, box_right, text_left, box_left = edges
    assert abs(box_right - text_right) <= 2, edges
    assert text_left - box_left > 20, edges

    # A focused button shows a 2 px ring in the primary colour, not Quasar's faint tint.
    settings = page.get_by_role('link', name='Settings')
    settings.focus()
    page.keyboard.press('Shift+Tab')
    page.keyboard.press('Tab')  # focus by keyboard, so :focus-visible applies
    expect(settings).to_be_focused()
    expect(settings).to_have_css('outline-style', 'solid')
    expect(settings).to_have_css('outline-width', '2px')
    expect(settings).to_have_css('outline-color', 'rgb(79, 70, 229)')
    context.close()
