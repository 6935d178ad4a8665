from __future__ import annotations

import os
import uuid

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app import web
from app.errors import RateLimited
from services.throttle import Throttle

WS_PATH = '/_nicegui_ws/socket.io/?EIO=4&transport=polling'


@pytest.fixture
def client() -> TestClient:
    application = FastAPI()
    web.configure(application)
    return TestClient(application, base_url='http://tasks.example')


@pytest.mark.parametrize(
    'origin', ['https://evil.example', 'null', 'http://tasks.example.evil.com']
)
def test_websocket_handshake_from_a_foreign_origin_is_refused(
    client: TestClient, origin: str
) -> None:
    response = client.get(WS_PATH, headers={'Origin': origin})
    assert response.status_code == 403
    assert response.json() == {'detail': 'Cross-origin connection refused.'}


@pytest.mark.parametrize('headers', [{'Origin': 'http://tasks.example'}, {}])
def test_websocket_handshake_from_this_site_passes(
    client: TestClient, headers: dict[str, str]
) -> None:
    # Passes the middleware: this bare app has no socket.io behind it, hence 404.
    assert client.get(WS_PATH, headers=headers).status_code == 404


def test_websocket_upgrade_from_a_foreign_origin_is_closed(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with (
        pytest.raises(WebSocketDisconnect) as closed,
        client.websocket_connect(
            '/_nicegui_ws/socket.io/?EIO=4&transport=websocket',
            headers={'Origin': 'https://evil.example'},
        ),
    ):
        pass
    assert closed.value.code == 1008


@pytest.mark.skipif(
    not os.environ.get('TEST_REDIS_URL'), reason='needs TEST_REDIS_URL (scripts/test sets it)'
)
def test_redis_counters_are_shared_between_instances() -> None:
    """Two instances with the same REDIS_URL enforce one budget, as a team deployment needs."""
    url = os.environ['TEST_REDIS_URL']
    first, second = (
        Throttle(login='2/minute', login_per_address='100/minute', register='1/hour', redis_url=url)
        for _ in range(2)
    )
    email = f'{uuid.uuid4()}@example.com'
    first.record_failed_login(email=email, address='a')
    second.record_failed_login(email=email, address='b')
    with pytest.raises(RateLimited):
        first.check_login(email=email, address='c')
    with pytest.raises(RateLimited):
        second.check_login(email=email, address='d')
