"""Single sign-on in real Chromium: `python main.py` configured for a real OpenID Connect
provider (oidc-provider-mock on a thread of this process), through the provider's own form."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import quote

import httpx
import oidc_provider_mock
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import running_main

pytestmark = [
    pytest.mark.filterwarnings('ignore:get_jwt_config:DeprecationWarning'),
    pytest.mark.filterwarnings('ignore:authlib.jose module is deprecated'),
]


@pytest.fixture(scope='module')
def provider() -> Iterator[str]:
    with oidc_provider_mock.run_server_in_thread() as server:
        yield f'http://localhost:{server.server_port}'


@pytest.fixture(scope='module')
def sso_server(tmp_path_factory: pytest.TempPathFactory, provider: str) -> Iterator[str]:
    with running_main(
        tmp_path_factory.mktemp('sso-data'),
        OIDC_ISSUER=provider,
        OIDC_CLIENT_ID='tasklight',
        OIDC_CLIENT_SECRET='tasklight-secret',
        OIDC_PROVIDER_NAME='Acme ID',
    ) as url:
        yield url


def test_the_sso_button_signs_in_to_the_dashboard(
    page: Page, provider: str, sso_server: str
) -> None:
    email = 'walker-sso@example.com'
    response = httpx.put(
        f'{provider}/users/{quote(email)}', json={'email': email, 'email_verified': True}
    )
    assert response.status_code == 204
    page.goto(f'{sso_server}/login')
    page.get_by_role('button', name='Sign in with Acme ID').click()
    expect(page).to_have_url(re.compile(re.escape(provider) + '/oauth2/authorize'))
    page.get_by_placeholder('sub').fill(email)
    page.get_by_role('button', name='Authorize').click()
    expect(page).to_have_url(re.compile(r'/tasks$'))
    expect(page.get_by_text(email)).to_be_visible()
    expect(page.get_by_label('New task')).to_be_visible()
