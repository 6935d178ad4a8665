from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api import web
from tests.factories import PASSWORD

_numbers = itertools.count(1)


@pytest.fixture(autouse=True)
def _on_both_databases(database: str) -> str:
    return database


def build_app() -> FastAPI:
    application = FastAPI()
    web.configure(application)
    return application


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_app(), base_url='http://testserver') as test_client:
        yield test_client


class Account:
    def __init__(self, client: TestClient, body: dict[str, Any], password: str) -> None:
        self.client = client
        self.body = body
        self.email: str = body['user']['email']
        self.password = password
        self.access_token: str = body['access_token']
        self.refresh_token: str = body['refresh_token']

    @property
    def headers(self) -> dict[str, str]:
        return {'Authorization': f'Bearer {self.access_token}'}

    def request(self, method: str, url: str, **kwargs: Any) -> Any:
        headers = {**self.headers, **kwargs.pop('headers', {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def create(self, title: str = 'A task', **fields: Any) -> dict[str, Any]:
        response = self.request('POST', '/api/tasks', json={'title': title, **fields})
        assert response.status_code == 201, response.text
        return dict(response.json())


@pytest.fixture
def signup(client: TestClient) -> Callable[..., Account]:
    def make(email: str | None = None, password: str = PASSWORD) -> Account:
        email = email or f'api{next(_numbers)}@example.com'
        response = client.post('/api/auth/register', json={'email': email, 'password': password})
        assert response.status_code == 201, response.text
        return Account(client, response.json(), password)

    return make
