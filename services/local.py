"""The one local person of a desktop install, who never signs in with a password.

The account is an ordinary user row, so its tasks move to a team server with the same export
and import as anyone's. Its password hash is of a random secret that is thrown away at once:
nobody can sign in to it over the network, and the launch secret of the desktop window is the
only way in.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from app.errors import NotAuthenticated
from app.models import IssuedSession, User, UserRead
from app.security import hash_password, new_secret
from services import auth, lists

# `.invalid` is reserved (RFC 2606) and refused by sign-up, so no real account can take it.
LOCAL_EMAIL = 'me@desktop.invalid'
# What the sessions list says of the desktop window's sign-in (the window's engine is no browser
# the person chose, and its address is always this machine).
DESKTOP_AGENT = 'Tasklight desktop'
DESKTOP_ADDRESS = 'desktop'


def ensure_local_person(session: Session) -> UserRead:
    """The desktop's local person, created on first use; the same row on every later launch."""
    existing = session.exec(select(User).where(User.email == LOCAL_EMAIL)).first()
    if existing is not None:
        return UserRead.model_validate(existing)
    person = User(email=LOCAL_EMAIL, password_hash=hash_password(new_secret()))
    try:
        with session.begin_nested():  # a concurrent first launch may insert it first
            session.add(person)
    except IntegrityError:
        winner = session.exec(select(User).where(User.email == LOCAL_EMAIL)).one()
        return UserRead.model_validate(winner)
    lists.inbox_id(session, actor_id=person.id)
    return UserRead.model_validate(person)


def open_local_session(session: Session) -> IssuedSession:
    """A browser session for the local person, for a window that proved the launch secret.

    The one place that drives the browser sign-in steps for the desktop: when sign-in tickets
    change shape, only this function follows."""
    person = ensure_local_person(session)
    ticket = auth.start_session(
        session, user=person, kind='browser', user_agent=DESKTOP_AGENT, address=DESKTOP_ADDRESS
    )
    return auth.activate_browser_session(session, ticket=ticket.token)


def window_session_token(session: Session, *, token: str | None) -> str | None:
    """A new session token for the window, or None when its cookie already holds the local
    person's live session (so relaunches do not pile up sessions)."""
    if token:
        try:
            info = auth.validate_browser_session(session, token=token)
        except NotAuthenticated:
            pass
        else:
            if info.user.email == LOCAL_EMAIL:
                return None
    return open_local_session(session).token
