"""The sign-in budgets: spent before the password check, per email, per address, server-wide."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from app import db
from app.db import session_scope
from app.errors import AuthFailed, InvalidInput, RateLimited
from app.security import sign_device
from services import auth
from services.throttle import Throttle, set_throttle
from tests.factories import PASSWORD, UNSTORABLE_CREDENTIALS, UNSTORABLE_IDS, make_user

WRONG = 'not the password'


@pytest.fixture(autouse=True)
def _close_pooled_connections() -> Iterator[None]:
    """Parallel threads leave several pooled SQLite connections behind; one of them later
    reports a stale schema to tests that migrate the shared database (tests/test_migrations)."""
    yield
    db.get_engine().dispose()


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password verification the service runs, by the password it was given."""
    seen: list[str] = []
    lock = threading.Lock()
    real = auth.verify_password

    def counted(password: str, password_hash: str | None) -> tuple[bool, str | None]:
        with lock:
            seen.append(password)
        return real(password, password_hash)

    monkeypatch.setattr(auth, 'verify_password', counted)
    return seen


def _sign_in(email: str, password: str = PASSWORD, **kwargs: Any) -> auth.IssuedSession:
    with session_scope() as s:
        return auth.sign_in(s, email=email, password=password, **{'kind': 'api', **kwargs})


def _all_at_once(count: int, attempt: Callable[[], object]) -> list[BaseException | None]:
    """`count` threads released together, each making one attempt; what each one raised."""
    barrier = threading.Barrier(count)
    outcomes: list[BaseException | None] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            attempt()
        except BaseException as error:  # recorded for the assertions
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return outcomes


@pytest.mark.parametrize('storage', ['memory', 'redis'])
def test_twenty_simultaneous_guesses_get_exactly_five_checks(
    storage: str, checks: list[str]
) -> None:
    if storage == 'redis':
        url = os.environ.get('TEST_REDIS_URL')
        if not url:
            pytest.skip('needs TEST_REDIS_URL (scripts/test sets it)')
        throttle = Throttle(
            login='5/minute', login_per_address='100/minute', register='10/hour', redis_url=url
        )
        throttle.reset()
        set_throttle(throttle)
    person = make_user(email=f'{uuid.uuid4().hex[:12]}@example.com')
    outcomes = _all_at_once(20, lambda: _sign_in(person.email, WRONG, address='10.0.0.9'))
    assert len(checks) == 5
    assert sum(isinstance(o, AuthFailed) for o in outcomes) == 5
    assert sum(isinstance(o, RateLimited) for o in outcomes) == 15


@pytest.mark.parametrize(('email', 'password'), UNSTORABLE_CREDENTIALS, ids=UNSTORABLE_IDS)
def test_unstorable_text_is_a_plain_auth_failure(
    email: str, password: str, checks: list[str]
) -> None:
    make_user(email='me@example.com')
    for kind in ('api', 'browser'):
        with pytest.raises(AuthFailed):
            _sign_in(email, password, kind=kind)
    assert checks == []  # no account can match: nothing to hash, nothing reaches the database


@pytest.mark.parametrize('email', ['me\x00@example.com', 'me\ud800@example.com'])
def test_registering_unstorable_email_names_the_field(email: str) -> None:
    with pytest.raises(InvalidInput) as caught, session_scope() as s:
        auth.register(s, email=email, password=PASSWORD)
    assert caught.value.field == 'email'


def _lock_out(email: str) -> None:
    for _ in range(5):
        with pytest.raises(AuthFailed):
            _sign_in(email, WRONG, address='203.0.113.7')
    with pytest.raises(RateLimited):
        _sign_in(email, WRONG, address='203.0.113.8')


def test_a_trusted_browser_still_signs_in_while_the_account_is_under_attack() -> None:
    owner = make_user(email='owner@example.com')
    _lock_out('owner@example.com')
    with pytest.raises(RateLimited):  # no device cookie (an API client, a new browser): locked
        _sign_in('owner@example.com', address='198.51.100.1')
    issued = _sign_in(
        'owner@example.com', kind='browser', address='198.51.100.1', device=sign_device(owner.id)
    )
    assert issued.info.user.id == owner.id
    with pytest.raises(RateLimited):  # the owner's success did not reopen it for the attacker
        _sign_in('owner@example.com', WRONG, address='203.0.113.9')


def test_a_device_cookie_vouches_only_for_its_own_account() -> None:
    make_user(email='owner@example.com')
    other = make_user(email='other@example.com')
    _lock_out('owner@example.com')
    for device in (sign_device(other.id), sign_device(other.id)[:-2] + 'xx', 'garbage'):
        with pytest.raises(RateLimited):
            _sign_in('owner@example.com', kind='browser', device=device)


def test_a_trusted_browser_with_a_wrong_password_is_still_refused(checks: list[str]) -> None:
    owner = make_user(email='owner@example.com')
    with pytest.raises(AuthFailed):
        _sign_in('owner@example.com', WRONG, kind='browser', device=sign_device(owner.id))
    assert checks == [WRONG]


def test_every_password_check_counts_per_address(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv('RATE_LIMIT_LOGIN_PER_ADDRESS', '3/minute')
    auth.get_settings.cache_clear()
    owner = make_user(email='owner@example.com')
    device = sign_device(owner.id)
    for _ in range(3):  # successes and trusted browsers count too: each one costs a hash
        _sign_in('owner@example.com', kind='browser', address='192.0.2.1', device=device)
    with pytest.raises(RateLimited):
        _sign_in('owner@example.com', kind='browser', address='192.0.2.1', device=device)
    _sign_in('owner@example.com', address='192.0.2.2')


def test_password_hashing_is_capped_server_wide(
    monkeypatch: pytest.MonkeyPatch, checks: list[str]
) -> None:
    monkeypatch.setenv('RATE_LIMIT_PASSWORD_HASHING', '4/minute')
    auth.get_settings.cache_clear()
    for n in range(4):
        make_user(email=f'p{n}@example.com')
        _sign_in(f'p{n}@example.com', address=f'192.0.2.{n}')
    with pytest.raises(RateLimited) as caught:
        _sign_in('p0@example.com', address='192.0.2.200')
    assert 1 <= caught.value.retry_after <= 60
    assert len(checks) == 4


def test_the_right_password_clears_earlier_failures_of_that_email() -> None:
    make_user(email='me@example.com')
    for _ in range(4):
        with pytest.raises(AuthFailed):
            _sign_in('me@example.com', WRONG)
    _sign_in('me@example.com')
    for _ in range(5):  # a fresh window of five
        with pytest.raises(AuthFailed):
            _sign_in('me@example.com', WRONG)
    with pytest.raises(RateLimited):
        _sign_in('me@example.com', WRONG)
