"""The desktop app's launch secret: the gate in front of every request, and the window's door."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, WebSocket
from fastapi.responses import PlainTextResponse
from fastapi.testclient import TestClient
from sqlmodel import select
from starlette.websockets import WebSocketDisconnect

from app import desktop
from app.config import SESSION_COOKIE, get_settings
from app.db import session_scope
from app.models import User
from services import auth, local

BASE = 'http://127.0.0.1:8123'


@pytest.fixture(scope='module', autouse=True)
def _pages_imported_for_this_module_only() -> Iterator[None]:
    """Importing `pages` registers every page; NiceGUI's simulated-user tests later run main.py
    and expect to import them afresh, so this module takes them out of sys.modules again."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if name == 'pages' or name.startswith('pages.'):
            del sys.modules[name]


def _app(launch: desktop.Launch, *, no_accounts: bool = True) -> FastAPI:
    from pages.desktop import router

    application = FastAPI()
    application.include_router(router)

    @application.get('/{path:path}')
    def anything(path: str) -> PlainTextResponse:
        return PlainTextResponse(f'page {path}')

    @application.websocket('/_nicegui_ws/socket.io/')
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text('hello')
        await websocket.close()

    application.add_middleware(desktop.LaunchGate, launch=launch, no_accounts=no_accounts)
    return application


@pytest.fixture
def launch(database: str) -> Iterator[desktop.Launch]:
    current = desktop.Launch.new(port=8123)
    desktop.set_current(current)
    yield current
    desktop.set_current(None)


@pytest.fixture
def client(launch: desktop.Launch) -> TestClient:
    return TestClient(_app(launch), base_url=BASE, follow_redirects=False)


@pytest.mark.parametrize('path', ['/', '/tasks', '/login', '/api/tasks', '/_nicegui/3.18.0/x.js'])
def test_a_request_without_the_launch_cookie_is_refused(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 403
    assert 'desktop window' in response.text


def test_a_websocket_without_the_launch_cookie_is_refused(client: TestClient) -> None:
    with (
        pytest.raises(WebSocketDisconnect) as refused,
        client.websocket_connect('/_nicegui_ws/socket.io/'),
    ):
        pass
    assert refused.value.code == 1008


@pytest.mark.parametrize('secret', ['', 'guess', 'x' * 43])
def test_a_wrong_launch_secret_gets_nothing(client: TestClient, secret: str) -> None:
    response = client.get(desktop.OPEN_PATH, params={'launch': secret})
    assert response.status_code == 403
    assert not response.cookies
    assert client.get('/tasks').status_code == 403


def test_another_launch_s_cookie_is_refused(client: TestClient) -> None:
    client.cookies.set(desktop.LAUNCH_COOKIE, desktop.Launch.new(port=8123).cookie)
    assert client.get('/tasks').status_code == 403


def test_the_launch_secret_opens_the_local_person_s_tasks(
    client: TestClient, launch: desktop.Launch
) -> None:
    response = client.get(desktop.OPEN_PATH, params={'launch': launch.secret})
    assert response.status_code == 303
    assert response.headers['location'] == '/tasks'
    cookies = response.headers.get_list('set-cookie')
    launch_cookie = next(c for c in cookies if c.startswith(desktop.LAUNCH_COOKIE))
    assert launch.secret not in launch_cookie
    assert 'HttpOnly' in launch_cookie
    assert 'samesite=strict' in launch_cookie.lower()
    assert 'max-age' not in launch_cookie.lower()  # gone with the window
    assert client.get('/tasks').text == 'page tasks'
    # The test client leaves cookies off websocket requests; a browser sends them.
    cookie = f'{desktop.LAUNCH_COOKIE}={client.cookies[desktop.LAUNCH_COOKIE]}'
    with client.websocket_connect('/_nicegui_ws/socket.io/', headers={'cookie': cookie}) as socket:
        assert socket.receive_text() == 'hello'
    with session_scope() as session:
        info = auth.validate_browser_session(session, token=client.cookies[SESSION_COOKIE])
    assert info.user.email == local.LOCAL_EMAIL


def test_a_relaunch_keeps_the_window_s_live_session(
    client: TestClient, launch: desktop.Launch
) -> None:
    client.get(desktop.OPEN_PATH, params={'launch': launch.secret})
    token = client.cookies[SESSION_COOKIE]
    again = client.get(desktop.OPEN_PATH, params={'launch': launch.secret})
    assert again.status_code == 303
    assert SESSION_COOKIE not in again.cookies
    assert client.cookies[SESSION_COOKIE] == token


def test_with_one_local_person_the_sign_in_pages_lead_back_through_the_door(
    client: TestClient, launch: desktop.Launch
) -> None:
    client.get(desktop.OPEN_PATH, params={'launch': launch.secret})
    client.cookies.delete(SESSION_COOKIE)  # the session ended: signed out, expired
    response = client.get('/login', params={'reason': 'expired'})
    assert response.status_code == 303
    assert response.headers['location'] == desktop.OPEN_PATH
    back = client.get(desktop.OPEN_PATH)  # the launch cookie is proof enough now
    assert back.status_code == 303
    assert SESSION_COOKIE in back.cookies


def test_desktop_accounts_keep_sign_in_behind_the_launch_secret(
    launch: desktop.Launch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv('DESKTOP_ACCOUNTS', 'true')
    get_settings.cache_clear()
    client = TestClient(_app(launch, no_accounts=False), base_url=BASE, follow_redirects=False)
    assert client.get('/login').status_code == 403
    response = client.get(desktop.OPEN_PATH, params={'launch': launch.secret})
    assert response.headers['location'] == '/'
    assert SESSION_COOKIE not in response.cookies
    assert client.get('/login').text == 'page login'
    with session_scope() as session:  # nobody was signed in behind the person's back
        assert session.exec(select(User).where(User.email == local.LOCAL_EMAIL)).first() is None


class _Window:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def restore(self) -> None:
        self.calls.append('restore')

    def maximize(self) -> None:
        self.calls.append('maximize')


def test_a_second_launch_brings_the_window_forward_with_the_secret_only(
    client: TestClient, launch: desktop.Launch, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nicegui import app

    window = _Window()
    monkeypatch.setattr(app.native, 'main_window', window)
    assert client.post(desktop.FOCUS_PATH, json={'launch': 'guess'}).status_code == 403
    assert client.post(desktop.FOCUS_PATH, json={}).status_code == 403
    assert window.calls == []
    assert client.post(desktop.FOCUS_PATH, json={'launch': launch.secret}).status_code == 204
    assert window.calls == ['restore']
