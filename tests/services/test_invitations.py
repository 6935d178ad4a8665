"""REGISTRATION modes, allowed domains, and invitations: single-use, expiring, revocable."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlmodel import select

from app.db import session_scope
from app.errors import AppError, Conflict, Forbidden, InvalidInput, NotFound
from app.models import Invitation, User, utcnow
from services import auth, invitations
from tests.factories import PASSWORD
from tests.services.test_admin import make_admin


def invite(email: str | None = None) -> str:
    """A new invitation's token, made by an admin."""
    boss = _boss()
    with session_scope() as session:
        made = invitations.create_invitation(
            session, actor_id=boss.id, base_url='https://t.example', email=email
        )
    assert made.link is not None
    assert made.status == 'pending'
    return made.link.split('invite=', 1)[1]


def _boss() -> User:
    with session_scope() as session:
        found = session.exec(select(User).where(User.is_admin)).first()
        if found is not None:
            session.expunge(found)
            return found
    person = make_admin()
    return User(id=person.id, email=person.email, password_hash='')


def join(email: str, invitation: str | None = None) -> auth.UserRead:
    with session_scope() as session:
        return auth.register(session, email=email, password=PASSWORD, invitation=invitation)


def test_closed_registration_refuses_everyone(configure: Callable[..., None]) -> None:
    token = invite()
    configure(REGISTRATION='closed')
    for given in (None, token):
        with pytest.raises(Forbidden) as caught:
            join('new@example.com', given)
        assert caught.value.message == auth.REGISTRATION_CLOSED


def test_allowed_domains_narrow_every_sign_up(configure: Callable[..., None]) -> None:
    configure(ALLOWED_EMAIL_DOMAINS='Example.com, @team.example')
    with pytest.raises(InvalidInput) as caught:
        join('someone@elsewhere.example')
    assert caught.value.field == 'email'
    assert caught.value.reason == 'Only addresses at example.com, team.example can join.'
    assert join('Someone@TEAM.example').email == 'someone@team.example'


def test_invite_mode_needs_a_good_invitation_used_once(configure: Callable[..., None]) -> None:
    configure(REGISTRATION='invite')
    with pytest.raises(Forbidden) as caught:
        join('new@example.com')
    assert caught.value.message == auth.INVITATION_NEEDED
    token = invite()
    with session_scope() as session:
        assert invitations.check(session, token=token).email is None
    person = join('new@example.com', token)
    with pytest.raises(Forbidden) as again:
        join('second@example.com', token)
    assert again.value.message == invitations.USED
    with session_scope() as session:
        row = session.exec(select(Invitation)).one()
        assert row.used_by == person.id
        assert row.used_at is not None


def test_a_failed_sign_up_leaves_the_invitation_unused(configure: Callable[..., None]) -> None:
    configure(REGISTRATION='invite')
    token = invite()
    with session_scope() as session:
        session.add(User(email='taken@example.com', password_hash='x'))
    with pytest.raises(Conflict):
        join('taken@example.com', token)
    assert join('free@example.com', token).email == 'free@example.com'


def test_an_invitation_for_one_email_is_only_for_it(configure: Callable[..., None]) -> None:
    configure(REGISTRATION='invite')
    token = invite('Invited@Example.com')
    with session_scope() as session:
        assert invitations.check(session, token=token).email == 'invited@example.com'
    with pytest.raises(Forbidden) as caught:
        join('other@example.com', token)
    assert caught.value.message == invitations.WRONG_EMAIL
    assert join('INVITED@example.com', token).email == 'invited@example.com'


def test_expired_revoked_and_forged_invitations(configure: Callable[..., None]) -> None:
    configure(REGISTRATION='invite')
    expired = invite()
    with session_scope() as session:
        row = session.exec(select(Invitation)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    with pytest.raises(Forbidden) as caught:
        join('a@example.com', expired)
    assert caught.value.message == invitations.EXPIRED

    revoked = invite()
    revoked_id = next(r for r in _ids() if r != row.id)
    with session_scope() as session:
        invitations.revoke_invitation(session, actor_id=_boss().id, invitation_id=revoked_id)
    with pytest.raises(Forbidden) as withdrawn:
        join('b@example.com', revoked)
    assert withdrawn.value.message == invitations.REVOKED

    foreign = URLSafeTimedSerializer('another key entirely, long enough', salt=invitations.SALT)
    for forged in (str(foreign.dumps(revoked_id)), 'nonsense', revoked + 'x', 'é' * 10):
        with pytest.raises(Forbidden) as bad:
            join('c@example.com', forged)
        assert bad.value.message == invitations.INVALID
    with session_scope() as session:
        assert session.exec(select(User.email).where(User.email.like('_@example.com'))).all() == []


def _ids() -> list[str]:
    with session_scope() as session:
        return list(session.exec(select(Invitation.id)).all())


def test_the_signature_expires_too(
    configure: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    configure(REGISTRATION='invite', INVITATION_DAYS='1')
    two_days_ago = int(time.time()) - 2 * 86_400
    with monkeypatch.context() as past:
        past.setattr(TimestampSigner, 'get_timestamp', lambda _self: two_days_ago)
        stale = invite()  # its row is fresh: only the signature is too old
    with pytest.raises(Forbidden) as caught:
        join('late@example.com', stale)
    assert caught.value.message == invitations.EXPIRED


def test_admins_list_and_revoke_invitations() -> None:
    boss = _boss()
    invite('one@example.com')
    invite()
    with session_scope() as session:
        listed = invitations.list_invitations(session, actor_id=boss.id, base_url='http://h')
    assert [i.status for i in listed] == ['pending', 'pending']
    assert all(i.link and i.link.startswith('http://h/signup?invite=') for i in listed)
    target = listed[0].id
    with session_scope() as session:
        invitations.revoke_invitation(session, actor_id=boss.id, invitation_id=target)
        invitations.revoke_invitation(session, actor_id=boss.id, invitation_id=target)  # again: ok
    with session_scope() as session:
        after = {
            i.id: i for i in invitations.list_invitations(session, actor_id=boss.id, base_url='')
        }
    assert after[target].status == 'revoked'
    assert after[target].link is None
    with pytest.raises(NotFound), session_scope() as session:
        invitations.revoke_invitation(session, actor_id=boss.id, invitation_id='0' * 32)
    with pytest.raises(InvalidInput), session_scope() as session:
        invitations.create_invitation(session, actor_id=boss.id, base_url='', email='not an email')
    with pytest.raises(Conflict), session_scope() as session:
        invitations.create_invitation(session, actor_id=boss.id, base_url='', email=boss.email)


def test_two_sign_ups_with_one_link_at_once_make_one_account(
    configure: Callable[..., None], database: str
) -> None:
    configure(REGISTRATION='invite')
    token = invite()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(email: str) -> None:
        barrier.wait()
        try:
            join(email, token)
            outcomes.append('joined')
        except AppError as error:
            outcomes.append(error.message)

    threads = [threading.Thread(target=attempt, args=(f'racer{n}@example.com',)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count('joined') == 1
    if database == 'postgresql':  # the second waited for the first's row lock, then found it used
        assert sorted(outcomes) == sorted(['joined', invitations.USED])
    with session_scope() as session:
        assert len(session.exec(select(User.id).where(User.email.like('racer%'))).all()) == 1
