"""The packaged binary as a person meets it: double-click, type a task, close, open again."""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.desktop.conftest import (
    NEW_TASK_FIELD,
    PRIMARY,
    ROOT,
    SIGN_IN_BUTTON,
    Desktop,
    wait_for,
)

TASK = 'Buy oat milk'


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


def _listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on `port`, from the kernel's tables."""
    found = set()
    for table in ('/proc/net/tcp', '/proc/net/tcp6'):
        for line in Path(table).read_text().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(':')
            if state == '0A' and int(hex_port, 16) == port:  # 0A: LISTEN
                found.add(address)
    return found


def _add_task(person: Desktop, window: str) -> None:
    person.x('xdotool', 'windowactivate', '--sync', window)
    field = person.centre(NEW_TASK_FIELD)
    assert field, 'the new-task field is not on the page'
    person.x('xdotool', 'mousemove', '--window', window, str(field[0]), str(field[1]), 'click', '1')
    wait_for(
        lambda: person.evaluate("document.activeElement?.getAttribute('aria-label')") == 'New task',
        10,
        'the click to focus the new-task field',
    )
    person.x('xdotool', 'type', '--delay', '40', TASK)
    person.x('xdotool', 'key', 'Return')


def _close(person: Desktop, process: subprocess.Popen[bytes]) -> int:
    """Close the window as a person would; the app must end. Once, in a clean-clone run, the app
    was still up 60 s after the close request, and whether the window had closed was not
    recorded: a window still showing after 15 s is asked again (a dropped request is the window
    manager's business), and an app that outlives its window fails with its own log."""
    person.x('wmctrl', '-c', 'Tasklight')
    deadline = time.monotonic() + 60
    asked_again = False
    while process.poll() is None:
        if time.monotonic() > deadline:
            raise AssertionError(f'the app did not end after its window closed:\n{person.log()}')
        if not asked_again and time.monotonic() > deadline - 45 and person.windows():
            person.x('wmctrl', '-c', 'Tasklight')
            asked_again = True
        time.sleep(0.2)
    return int(process.returncode)


def test_the_packaged_app_opens_keeps_and_reopens_the_person_s_tasks(
    desktop: Desktop, tmp_path: Path
) -> None:
    app = desktop.launch()
    window = desktop.window()

    # Straight onto the local person's (empty) task list: no sign-up, data in the user folder.
    assert (
        desktop.x('xprop', '-id', window, 'WM_CLASS')
        == 'WM_CLASS(STRING) = "tasklight", "Tasklight"'
    )
    assert desktop.query('SELECT email FROM user_account') == [('me@desktop.invalid',)]
    assert desktop.query('SELECT count(*) FROM task') == [(0,)]
    assert not (desktop.home / 'data').exists()

    # Loopback only, and nothing for a request without the launch secret.
    instance = desktop.instance()
    port = int(instance['port'])  # type: ignore[call-overload]
    assert _listening_addresses(port) == {'0100007F'}  # 127.0.0.1
    base = f'http://127.0.0.1:{port}'
    assert _status(f'{base}/tasks') == 403
    assert _status(f'{base}/api/tasks') == 403
    assert _status(f'{base}/desktop/open?launch=guess') == 403
    assert _status(f'{base}/') == 403

    # A task typed into the window is saved in the data folder, and the list shows it.
    assert not desktop.shows(TASK)
    _add_task(desktop, window)
    wait_for(
        lambda: desktop.query('SELECT title FROM task') == [(TASK,)], 30, 'the typed task in the db'
    )
    wait_for(lambda: desktop.shows(TASK), 30, 'the list to show it')
    shot = os.environ.get('TASKLIGHT_DESKTOP_SCREENSHOT')
    if shot:  # docs/desktop.png: TASKLIGHT_DESKTOP_SCREENSHOT=docs/desktop.png scripts/test-desktop
        subprocess.run(
            ['import', '-window', window, str(ROOT / shot)],
            env={**os.environ, 'DISPLAY': desktop.display},
            check=True,
        )

    # A size and place the person chose are remembered.
    desktop.x('xdotool', 'windowsize', '--sync', window, '900', '700')
    desktop.x('xdotool', 'windowmove', '--sync', window, '60', '80')
    wait_for(
        lambda: 'Geometry: 900x700' in desktop.x('xdotool', 'getwindowgeometry', window),
        20,
        'the resized window',
    )
    place = desktop.x('xdotool', 'getwindowgeometry', window).splitlines()[1:]
    sessions = desktop.query('SELECT count(*) FROM auth_session')

    # Closing the window ends the app, cleanly.
    assert _close(desktop, app) == 0
    assert not (desktop.data_dir / 'instance.json').exists()
    with (
        pytest.raises(ConnectionRefusedError),
        socket.create_connection(('127.0.0.1', port), timeout=2),
    ):
        pass

    # Opened again: the same tasks, the same sign-in (the webview kept its cookie), the same size.
    again = desktop.launch()
    window = desktop.window()
    assert desktop.query('SELECT title FROM task') == [(TASK,)]
    wait_for(lambda: desktop.shows(TASK), 30, 'the task in the reopened window')
    assert desktop.query('SELECT count(*) FROM user_account') == [(1,)]
    assert desktop.query('SELECT count(*) FROM auth_session') == sessions
    assert desktop.x('xdotool', 'getwindowgeometry', window).splitlines()[1:] == place
    assert _close(desktop, again) == 0
    assert 'Traceback' not in desktop.log()


def test_a_second_launch_brings_the_open_window_forward_and_exits(desktop: Desktop) -> None:
    first = desktop.launch()
    window = desktop.window()
    desktop.instance()
    other = subprocess.Popen(
        ['xmessage', '-name', 'other', 'another program'],
        env={**os.environ, 'DISPLAY': desktop.display},
    )
    try:
        other_window = wait_for(
            lambda: desktop.x('xdotool', 'search', '--onlyvisible', '--classname', 'other'),
            30,
            'another window',
        )
        desktop.x('xdotool', 'windowactivate', '--sync', str(other_window))
        assert desktop.x('xdotool', 'getactivewindow') != window

        second = desktop.launch()
        assert second.wait(timeout=60) == 0
        assert first.poll() is None
        wait_for(
            lambda: desktop.x('xdotool', 'getactivewindow') == window,
            20,
            'the first window to come forward',
        )
        assert desktop.windows() == [window]
    finally:
        other.kill()
        other.wait(timeout=10)
    assert _close(desktop, first) == 0


def test_accounts_for_a_shared_computer_are_set_in_the_data_folder_env(desktop: Desktop) -> None:
    desktop.data_dir.mkdir(parents=True)
    (desktop.data_dir / '.env').write_text('DESKTOP_ACCOUNTS=true\n')
    (desktop.home / '.env').write_text('DESKTOP_ACCOUNTS=false\n')  # where it starts: ignored
    app = desktop.launch()
    found = wait_for(lambda: desktop.windows(), 90, 'the Tasklight window')
    window = str(found[0])  # type: ignore[index]
    # The sign-in card, not the local person's tasks: its Sign in button is painted.
    button = wait_for(
        lambda: desktop.ready() and desktop.rect(SIGN_IN_BUTTON), 60, 'the sign-in page'
    )
    x, y, _width, height = button  # type: ignore[misc]
    wait_for(lambda: desktop.pixel(window, x + 4, y + height // 2) == PRIMARY, 30, 'its button')
    assert desktop.query('SELECT count(*) FROM user_account') == [(0,)]
    # The card fits the window: no needless scrollbar.
    assert desktop.evaluate('document.documentElement.scrollHeight <= innerHeight') is True
    assert _close(desktop, app) == 0
