"""Offline, a restarted server and reloads lose nothing, in a real browser.

What the person typed and the server did not confirm is kept in the browser and put back after
a reload, with a notice, and is never sent by itself; filter, search and page live in the URL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import _free_port, running_main
from tests.browser.test_flows import add, sign_up

RESTORED = 'Restored what you were typing'


@contextmanager
def serving(port: int, data_dir: Path) -> Iterator[str]:
    """`python main.py` on a given port (the browser keeps drafts per origin: a restarted
    server has to come back on the same one)."""
    with running_main(data_dir, port=port) as url:
        yield url


def checkboxes(page: Page) -> list[str]:
    return [text.strip() for text in page.get_by_role('checkbox').all_inner_texts()]


def test_a_task_submitted_while_the_server_was_away_comes_back_and_is_not_sent_twice(
    browser: Browser, tmp_path: Path
) -> None:
    port = _free_port()
    with serving(port, tmp_path) as url:
        context = browser.new_context(base_url=url)
        page = context.new_page()
        sign_up(page)
        add(page, 'Saved before')
        page.get_by_text('Add a description').click()
        page.get_by_label('Description (optional)').fill('and its details')
        page.evaluate('window.tlBeforeRestart = true')
    # The server is gone (a crash, a failover): the person types on and presses Enter.
    page.get_by_label('New task').fill('Typed while away')
    page.get_by_label('New task').press('Enter')
    with serving(port, tmp_path):
        # NiceGUI reloads a page its server no longer knows; the text comes back, unsent.
        page.wait_for_function(
            '() => !window.tlBeforeRestart && window.did_handshake && window.socket?.connected',
            timeout=30_000,
        )
        expect(page.get_by_text(RESTORED)).to_be_visible()
        expect(page.get_by_label('New task')).to_have_value('Typed while away')
        expect(page.get_by_label('Description (optional)')).to_have_value('and its details')
        assert checkboxes(page) == ['Saved before']
        page.get_by_label('New task').press('Enter')  # the person sends it, once
        expect(page.get_by_role('checkbox', name='Typed while away')).to_be_visible()
        expect(page.get_by_label('New task')).to_have_value('')
        page.reload()
        expect(page.get_by_role('checkbox', name='Typed while away')).to_have_count(1)
        expect(page.get_by_label('New task')).to_have_value('')
        expect(page.get_by_text(RESTORED)).to_have_count(0)  # confirmed, so forgotten
        context.close()
    log = (tmp_path / 'server.log').read_text()
    assert 'Traceback' not in log, log


def test_an_open_edit_survives_a_reload(page: Page) -> None:
    sign_up(page)
    add(page, 'Rename me')
    card = page.locator('.q-card', has=page.get_by_role('checkbox', name='Rename me'))
    card.get_by_role('button', name='Edit').click()
    dialog = page.get_by_role('dialog')
    dialog.get_by_label('Description').fill('Half-written notes')
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_visible()
    dialog = page.get_by_role('dialog')
    expect(dialog.get_by_label('Description')).to_have_value('Half-written notes')
    expect(dialog.get_by_label('Title')).to_have_value('Rename me')
    dialog.get_by_role('button', name='Save').click()
    expect(page.get_by_text('Half-written notes')).to_be_visible()
    page.reload()
    expect(page.get_by_role('checkbox', name='Rename me')).to_be_visible()
    expect(page.get_by_role('dialog')).to_have_count(0)  # saved: nothing left to restore


def test_offline_typing_comes_back_after_reconnecting(page: Page) -> None:
    sign_up(page)
    page.context.set_offline(True)
    page.get_by_label('New task').fill('Typed offline')
    page.context.set_offline(False)
    page.reload()
    expect(page.get_by_text(RESTORED)).to_be_visible()
    expect(page.get_by_label('New task')).to_have_value('Typed offline')


def test_one_persons_drafts_never_show_for_another(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url)  # one shared browser
    page = context.new_page()
    sign_up(page)
    page.get_by_label('New task').fill('Private draft')
    page.get_by_role('button', name='Sign out').click()
    expect(page).to_have_url(re.compile(r'/login'))
    sign_up(page)  # someone else, same browser
    expect(page.get_by_label('New task')).to_have_value('')
    expect(page.get_by_text(RESTORED)).to_have_count(0)
    context.close()


@pytest.mark.parametrize('how', ['reload', 'back'])
def test_view_and_search_survive_reload_and_back(page: Page, how: str) -> None:
    sign_up(page)
    add(page, 'milk')
    add(page, 'bread')
    page.get_by_role('checkbox', name='bread').click()
    expect(page.get_by_role('checkbox', name='bread')).to_have_count(0)  # into Completed
    page.get_by_label('Search tasks').fill('mil')
    expect(page).to_have_url(re.compile(r'/tasks\?q=mil$'))
    expect(page.get_by_role('checkbox', name='milk')).to_be_visible()
    page.get_by_role('link', name=re.compile('^Completed')).click()
    expect(page).to_have_url(re.compile(r'/tasks/completed$'))
    expect(page.get_by_role('checkbox', name='bread')).to_be_checked()
    if how == 'reload':
        page.reload()
        expect(page).to_have_url(re.compile(r'/tasks/completed$'))
        expect(page.get_by_role('checkbox', name='bread')).to_be_checked()
        expect(page.get_by_role('checkbox', name='milk')).to_have_count(0)
    else:
        page.go_back()
        expect(page).to_have_url(re.compile(r'/tasks\?q=mil$'))
        expect(page.get_by_role('checkbox', name='milk')).to_be_visible()
        expect(page.get_by_label('Search tasks')).to_have_value('mil')
        page.go_back()
        expect(page).to_have_url(re.compile(r'/tasks$'))
        expect(page.get_by_role('checkbox', name='milk')).to_be_visible()
        expect(page.get_by_label('Search tasks')).to_have_value('')
