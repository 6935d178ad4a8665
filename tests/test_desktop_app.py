"""app/desktop.py: free loopback port, one instance per data folder, the window's place."""

from __future__ import annotations

import json
import socket
import stat
from pathlib import Path

import pytest

from app import desktop


def test_a_launch_listens_on_a_free_loopback_port_with_a_fresh_secret() -> None:
    first, second = desktop.Launch.new(), desktop.Launch.new()
    assert first.secret != second.secret
    assert len(first.secret) >= 40
    assert first.url == f'http://127.0.0.1:{first.port}/desktop/open?launch={first.secret}'
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', first.port))  # nobody holds it


def test_one_instance_per_data_folder(tmp_path: Path) -> None:
    first = desktop.InstanceLock(tmp_path)
    assert first.acquire()
    assert not desktop.InstanceLock(tmp_path).acquire()
    assert desktop.InstanceLock(tmp_path / 'other').acquire()
    first.release()
    assert desktop.InstanceLock(tmp_path).acquire()


def test_the_instance_file_is_private_and_withdrawn(tmp_path: Path) -> None:
    launch = desktop.Launch.new(port=4321)
    desktop.publish_instance(tmp_path, launch)
    path = tmp_path / desktop.INSTANCE_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert json.loads(path.read_text())['secret'] == launch.secret
    desktop.withdraw_instance(tmp_path)
    assert not path.exists()


def test_a_silent_instance_is_reported_after_the_wait(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))  # bound, never listening: connections are refused
        desktop.publish_instance(tmp_path, desktop.Launch.new(port=sock.getsockname()[1]))
        assert not desktop.ask_running_instance_to_focus(tmp_path, wait_seconds=0.5)


def test_the_window_comes_back_where_it_was(tmp_path: Path) -> None:
    assert desktop.load_window_state(tmp_path) == desktop.DEFAULT_WINDOW
    desktop.save_window_state(tmp_path, {'width': 900, 'height': 700, 'x': 40, 'y': 30})
    assert desktop.load_window_state(tmp_path) == {'width': 900, 'height': 700, 'x': 40, 'y': 30}


@pytest.mark.parametrize(
    ('saved', 'expected'),
    [
        ('not json', desktop.DEFAULT_WINDOW),
        ('[1, 2]', desktop.DEFAULT_WINDOW),
        ('{"width": 10, "height": 10}', desktop.DEFAULT_WINDOW),
        ('{"width": true, "height": 700}', desktop.DEFAULT_WINDOW),
        ('{"width": 900, "height": 700, "x": -5000, "y": 10}', {'width': 900, 'height': 700}),
        ('{"x": 10, "y": 20}', {**desktop.DEFAULT_WINDOW, 'x': 10, 'y': 20}),
    ],
)
def test_a_damaged_or_off_screen_window_file_falls_back(
    tmp_path: Path, saved: str, expected: dict[str, int]
) -> None:
    (tmp_path / desktop.WINDOW_FILE).write_text(saved)
    assert desktop.load_window_state(tmp_path) == expected
