"""Tables and the schemas that cross the service boundary."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    StringConstraints,
    ValidationInfo,
)
from pydantic import Field as PydanticField
from sqlalchemy import Column, DateTime, ForeignKey, Index, String, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from app import passwords

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PASSWORD_MIN = 8
PASSWORD_MAX = 256
EMAIL_MAX = 254
SEARCH_MAX = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite keeps no zone, so it is restored on read)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError('naive datetimes are not stored; use an aware UTC value')
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == 'sqlite' else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# ---------------------------------------------------------------- text rules


def _storable(value: str) -> str:
    """Refuse what no database can store faithfully: NUL and unpaired surrogates."""
    if '\x00' in value:
        raise ValueError('must not contain NUL characters')
    try:
        value.encode('utf-8')
    except UnicodeEncodeError:
        raise ValueError('must be valid Unicode text') from None
    return value


# Any other text a client sends: what a database or a hash may see must be storable.
StorableText = Annotated[str, AfterValidator(_storable)]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(_storable),
]
Description = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX),
    AfterValidator(_storable),
]


def _not_the_email(value: str, info: ValidationInfo) -> str:
    # Beside an `email` field (sign-up) the password must not repeat it; a lone password (change
    # or reset) is checked against the account's email when the caller passes it as context:
    # `TypeAdapter(Password).validate_python(new, context={'email': user.email})`.
    email = info.data.get('email') if isinstance(info.data, dict) else None
    if email is None and isinstance(info.context, dict):
        email = info.context.get('email')
    return passwords.check_not_email(value, email if isinstance(email, str) else None)


# A *new* password: sign-in takes a plain `str`, so an old password is never judged again.
Password = Annotated[
    str,
    StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX),
    AfterValidator(_storable),
    AfterValidator(passwords.check_new_password),
    AfterValidator(_not_the_email),
]
SearchText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=SEARCH_MAX),
    AfterValidator(_storable),
]
TaskStatus = Literal['all', 'active', 'completed']


def _normalize_email(value: str) -> str:
    return value.strip().lower()


Email = Annotated[EmailStr, AfterValidator(_normalize_email)]


# ---------------------------------------------------------------- tables


class User(SQLModel, table=True):
    __tablename__ = 'user_account'

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=EMAIL_MAX, unique=True)
    password_hash: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Task(SQLModel, table=True):
    __tablename__ = 'task'

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey('user_account.id', ondelete='CASCADE'), nullable=False)
    )
    title: str = Field(max_length=TITLE_MAX)
    description: str = Field(default='', max_length=DESCRIPTION_MAX)
    completed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    completed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Incremented by every write: a client names the version it read (If-Match) so that two
    # edits never silently overwrite each other.
    version: int = Field(default=1, sa_column_kwargs={'server_default': '1'})


# The list query: one user's tasks, incomplete first, newest first.
Index(
    'ix_task_owner_list',
    Task.__table__.c.owner_id,  # type: ignore[attr-defined]
    Task.__table__.c.completed,  # type: ignore[attr-defined]
    Task.__table__.c.created_at.desc(),  # type: ignore[attr-defined]
    Task.__table__.c.id.desc(),  # type: ignore[attr-defined]
)


class AuthSession(SQLModel, table=True):
    """A signed-in device: a browser cookie or an API refresh-token chain."""

    __tablename__ = 'auth_session'

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey('user_account.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    kind: str = Field(sa_column=Column(String(16), nullable=False))
    secret_hash: str = Field(max_length=64)
    pending: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


# ---------------------------------------------------------------- schemas


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra='ignore')


class UserRead(Schema):
    id: uuid.UUID
    email: str
    created_at: datetime


class Credentials(Schema):
    email: Email
    password: Password


class TaskCreate(Schema):
    title: Title
    description: Description = ''


class TaskUpdate(Schema):
    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None


class TaskRead(Schema):
    id: int
    title: str
    description: str
    completed: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int


class TaskQuery(Schema):
    status: TaskStatus = 'all'
    q: SearchText = ''
    limit: int = PydanticField(default=50, ge=1, le=100)
    offset: int = PydanticField(default=0, ge=0, le=10_000_000)


class TaskPage(Schema):
    items: list[TaskRead]
    total: int
    limit: int
    offset: int


class TaskCounts(Schema):
    all: int
    active: int
    completed: int


class SessionInfo(Schema):
    """A validated sign-in: who is acting, and through which server-side session."""

    session_id: uuid.UUID
    user: UserRead
    expires_at: datetime


class IssuedSession(Schema):
    """A new or rotated session and the one-time visible secret that proves it."""

    token: str
    info: SessionInfo
