"""Password reset: asked for by email (a real SMTP server here), or issued by an admin; a link
works once, for a while, and setting the password ends every session."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from itsdangerous import TimestampSigner

from app.db import session_scope
from app.errors import AuthFailed, InvalidInput, NotAuthenticated, NotFound, RateLimited
from services import admin, auth, password_reset
from services.events import session_ends
from tests.factories import PASSWORD, make_user
from tests.mailbox import Mailbox, link_in, self_signed, smtp_server
from tests.services.test_admin import make_admin, signed_in

NEW_PASSWORD = 'a brand new secret phrase'


def token_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)['token'][0]


def ask(email: str, address: str = '10.0.0.1') -> password_reset.ResetMail | None:
    with session_scope() as session:
        return password_reset.request_reset(
            session, email=email, address=address, base='http://tasks.test/'
        )


def test_the_email_arrives_and_its_link_sets_the_password(mailbox: Mailbox) -> None:
    person = make_user(email='me@example.com')
    api = signed_in(person)
    browser = signed_in(person, 'browser')
    message = ask('ME@example.com')
    assert message is not None
    assert password_reset.deliver(message) is True
    [received] = mailbox.wait_for(1)
    assert received['To'] == 'me@example.com'
    assert received['Subject'] == password_reset.SUBJECT
    link = link_in(received)
    assert link.startswith('http://tasks.test/reset?token=')
    with session_scope() as session:
        assert password_reset.check_link(session, token=token_of(link)) == 'me@example.com'

    heard: list[object] = []
    stops = [session_ends.subscribe(s.info.session_id, heard.append) for s in (api, browser)]
    with session_scope() as session:
        password_reset.reset_password(session, token=token_of(link), new_password=NEW_PASSWORD)
    for stop in stops:
        stop()
    assert set(heard) == {api.info.session_id, browser.info.session_id}
    with pytest.raises(NotAuthenticated), session_scope() as session:
        auth.validate_browser_session(session, token=browser.token)
    with pytest.raises(AuthFailed), session_scope() as session:
        auth.sign_in(session, email=person.email, password=PASSWORD, kind='api')
    with session_scope() as session:
        auth.sign_in(session, email=person.email, password=NEW_PASSWORD, kind='api')
    # Used once: the password it was made for is gone.
    with pytest.raises(InvalidInput) as again, session_scope() as session:
        password_reset.reset_password(session, token=token_of(link), new_password='another one x')
    assert again.value.message == password_reset.INVALID


def test_no_account_gets_the_same_answer_and_no_email(mailbox: Mailbox) -> None:
    assert ask('nobody@example.com') is None
    person = make_user()
    with session_scope() as session:
        admin.set_deactivated(
            session, actor_id=make_admin().id, user_id=person.id, deactivated=True
        )
    assert ask(person.email) is None
    assert mailbox.messages == []


def test_without_smtp_there_is_no_email_reset() -> None:
    make_user(email='me@example.com')
    with pytest.raises(NotFound) as caught:
        ask('me@example.com')
    assert caught.value.message == password_reset.NO_EMAIL


def test_asking_is_limited_per_address_and_per_client(
    mailbox: Mailbox, configure: Callable[..., None]
) -> None:
    configure(RATE_LIMIT_PASSWORD_RESET='2/hour')
    ask('a@example.com', '10.0.0.1')
    ask('a@example.com', '10.0.0.2')
    with pytest.raises(RateLimited):  # the address asked about, whoever asks
        ask('a@example.com', '10.0.0.3')
    ask('b@example.com', '10.0.0.4')
    ask('c@example.com', '10.0.0.4')
    with pytest.raises(RateLimited):  # the client, whatever it asks about
        ask('d@example.com', '10.0.0.4')
    with pytest.raises(InvalidInput):
        ask('not an address')


def test_a_weak_password_or_a_bad_link_changes_nothing(mailbox: Mailbox) -> None:
    person = make_user(email='me@example.com')
    message = ask(person.email)
    assert message is not None
    token = token_of(message.link)
    for weak, field in (('short', 'new_password'), ('password123', 'new_password')):
        with pytest.raises(InvalidInput) as caught, session_scope() as session:
            password_reset.reset_password(session, token=token, new_password=weak)
        assert caught.value.field == field
    for bad in ('', 'x' * 500, token[:-2], 'é'):
        with pytest.raises(InvalidInput) as refused, session_scope() as session:
            password_reset.reset_password(session, token=bad, new_password=NEW_PASSWORD)
        assert refused.value.field == 'token'
    with session_scope() as session:  # the first link still works
        password_reset.reset_password(session, token=token, new_password=NEW_PASSWORD)


def test_a_link_expires(
    mailbox: Mailbox, configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(PASSWORD_RESET_MINUTES='5')
    person = make_user()
    six_minutes_ago = int(time.time()) - 6 * 60
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, 'get_timestamp', lambda _self: six_minutes_ago)
        message = ask(person.email)
    assert message is not None
    with pytest.raises(InvalidInput), session_scope() as session:
        password_reset.check_link(session, token=token_of(message.link))


def test_an_admin_issued_link_works_without_smtp() -> None:
    boss = make_admin()
    person = make_user()
    with session_scope() as session:
        issued = admin.reset_link(session, actor_id=boss.id, user_id=person.id, base_url='http://h')
    with session_scope() as session:
        password_reset.reset_password(
            session, token=token_of(issued.link), new_password=NEW_PASSWORD
        )
    with session_scope() as session:
        auth.sign_in(session, email=person.email, password=NEW_PASSWORD, kind='api')


def test_a_failed_delivery_is_logged_not_raised(
    configure: Callable[..., None], caplog: pytest.LogCaptureFixture
) -> None:
    from tests.mailbox import free_port

    configure(SMTP_HOST='127.0.0.1', SMTP_PORT=str(free_port()), SMTP_SECURITY='none')
    message = password_reset.ResetMail(
        to='me@example.com', link='http://h/reset?token=t', minutes=5
    )
    assert password_reset.deliver(message) is False
    assert 'password reset email not sent' in caplog.text
    assert 'token=t' not in caplog.text


@pytest.mark.parametrize('security', ['starttls', 'ssl'])
def test_email_goes_over_tls_to_a_server_whose_certificate_is_trusted(
    security: str,
    configure: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    certificate = self_signed(tmp_path)
    message = password_reset.ResetMail(
        to='me@example.com', link='http://h/reset?token=x', minutes=5
    )
    with smtp_server(tls=security, certificate=certificate) as box:
        configure(**{**box.settings(), 'SMTP_SECURITY': security})
        assert password_reset.deliver(message) is False  # its certificate is not trusted yet
        monkeypatch.setenv('SSL_CERT_FILE', str(certificate))
        assert password_reset.deliver(message) is True
        [received] = box.wait_for(1)
    assert link_in(received) == 'http://h/reset?token=x'
