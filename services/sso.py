"""Accounts for people who sign in with the company's OpenID Connect provider.

The provider's verified claims arrive here (pages/sso.py runs the protocol with authlib): the
account is the one already linked to this `iss` + `sub`, else the one with the same *verified*
email (linked now), else a new one, if registration allows. Unverified emails never link or
create anything.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.config import get_settings
from app.errors import AuthFailed, Forbidden
from app.models import EMAIL_MAX, IssuedSession, User, UserIdentity, UserRead
from app.security import hash_password, new_secret
from services import auth, lists

UNVERIFIED = (
    'Your identity provider has not verified your email address, so it cannot be used here.'
)
NO_EMAIL = 'Your identity provider did not tell us your email address.'
RELINK = (
    'This email address belongs to an account another sign-in of your identity provider uses. '
    'Ask an admin.'
)


class SsoRefused(Forbidden):
    """A sign-in the provider vouched for that this server refuses, with the reason."""


def _groups(claims: dict[str, object]) -> set[str]:
    value = claims.get(get_settings().oidc_admin_claim)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list):
        return {item for item in value if isinstance(item, str)}
    return set()


def account_for(session: Session, *, issuer: str, claims: dict[str, object]) -> UserRead:
    """The account these verified ID-token claims sign in to, found, linked or created.

    SsoRefused when the email is missing or unverified (for a new link), its domain is not
    allowed, registration is closed to new people, or the account is deactivated. With
    OIDC_ADMIN_GROUP set, the provider's group decides admin at every sign-in."""
    subject = claims.get('sub')
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise AuthFailed('The identity provider sent no usable subject.')
    email = claims.get('email')
    verified = claims.get('email_verified') is True
    address = auth.normalize_email(email) if isinstance(email, str) else ''
    linked = session.exec(
        select(User)
        .join(UserIdentity, col(UserIdentity.user_id) == col(User.id))
        .where(UserIdentity.issuer == issuer, UserIdentity.subject == subject)
    ).first()
    user = linked
    if user is None:
        if not address or len(address) > EMAIL_MAX:
            raise SsoRefused(NO_EMAIL)
        if not verified:
            raise SsoRefused(UNVERIFIED)
    if address:  # checked at every sign-in: a domain taken off the list stops its people
        refused = auth.domain_refused(address)
        if refused is not None:
            raise SsoRefused(refused.reason)
    if user is None:
        user = session.exec(select(User).where(User.email == address)).first()
        if user is None:
            user = _create(session, address)
        elif session.exec(
            select(UserIdentity.id).where(
                UserIdentity.user_id == user.id, UserIdentity.issuer == issuer
            )
        ).first():
            # Someone else at this provider had this account: an address given to a new
            # person there does not hand them the old one's tasks.
            raise SsoRefused(RELINK)
        _link(session, user, issuer, subject)
    if user.deactivated_at is not None:
        raise SsoRefused(auth.Deactivated.default_message)
    group = get_settings().oidc_admin_group
    if group is not None:
        admin = group in _groups(claims) or auth.listed_admin(user.email)
        if admin != user.is_admin:
            session.execute(update(User).where(col(User.id) == user.id).values(is_admin=admin))
            session.refresh(user)
    return UserRead.model_validate(user)


def _create(session: Session, email: str) -> User:
    if get_settings().registration == 'closed':
        raise SsoRefused(auth.REGISTRATION_CLOSED)
    # No password anyone knows: a person who wants one sets it with a reset link.
    user = User(
        email=email, password_hash=hash_password(new_secret()), is_admin=auth.listed_admin(email)
    )
    session.add(user)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a concurrent first sign-in made it: use that one
        found = session.exec(select(User).where(User.email == email)).first()
        if found is None:
            raise
        return found
    lists.inbox_id(session, actor_id=user.id)
    return user


def _link(session: Session, user: User, issuer: str, subject: str) -> None:
    try:
        with session.begin_nested():
            session.add(UserIdentity(user_id=user.id, issuer=issuer, subject=subject))
            session.flush()
    except IntegrityError:  # linked concurrently by the same person's other tab
        pass


def sign_in(
    session: Session,
    *,
    issuer: str,
    claims: dict[str, object],
    nonce: str,
    user_agent: str | None = None,
    address: str | None = None,
) -> IssuedSession:
    """The account for these verified claims and a new browser session for it (a fresh id,
    as every sign-in), in one unit of work."""
    user = account_for(session, issuer=issuer, claims=claims)
    ticket = auth.start_session(session, user=user, kind='browser', nonce=nonce)
    return auth.activate_browser_session(
        session, ticket=ticket.token, nonce=nonce, user_agent=user_agent, address=address
    )
