"""Tables and the schemas that cross the service boundary."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
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
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Time,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlmodel import Field, SQLModel

from app import passwords

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
PASSWORD_MIN = 8
PASSWORD_MAX = 256
EMAIL_MAX = 254
SEARCH_MAX = 200
LIST_NAME_MAX = 100
TIME_ZONE_MAX = 64
USER_AGENT_MAX = 256  # what a session keeps of its browser's User-Agent
ADDRESS_MAX = 64  # an IPv6 address with a zone fits
INBOX = 'Inbox'
# The colours a list may take: names the theme maps to a light and a dark shade (never a raw hex
# value from a client, which the page would then have to trust in a style attribute).
LIST_COLOURS = ('grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple', 'pink')
PRIORITIES = {0: 'none', 1: 'low', 2: 'medium', 3: 'high'}


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
# How a list's open tasks are ordered: the person's own order, by due date, by priority, newest.
ListSort = Literal['manual', 'due', 'priority', 'newest']
# A query may also ask for the most recently completed first (the Completed view).
TaskSort = Literal['manual', 'due', 'priority', 'newest', 'completed']
ListColour = Literal['grey', 'red', 'orange', 'yellow', 'green', 'teal', 'blue', 'purple', 'pink']
ListName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=LIST_NAME_MAX),
    AfterValidator(_storable),
]
Priority = Annotated[int, PydanticField(ge=0, le=3)]


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
    # An IANA zone name taken from the person's browser: what "today" and a due time mean.
    time_zone: str = Field(
        default='UTC', max_length=TIME_ZONE_MAX, sa_column_kwargs={'server_default': 'UTC'}
    )
    # Settings: the first day of the week in date pickers, the colour scheme, and where a new
    # task goes when no list is chosen (the Inbox when unset, or when that list is deleted).
    week_start: str = Field(
        default='monday', max_length=9, sa_column_kwargs={'server_default': 'monday'}
    )
    theme: str = Field(
        default='system', max_length=8, sa_column_kwargs={'server_default': 'system'}
    )
    default_list_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer(),
            # use_alter: task_list refers to user_account too; the cycle is broken at creation.
            ForeignKey(
                'task_list.id',
                ondelete='SET NULL',
                use_alter=True,
                name='fk_user_account_default_list_id_task_list',
            ),
            nullable=True,
        ),
    )
    # The public half of the calendar feed's URL; the URL's secret half is an HMAC of it under
    # SECRET_KEY (services/calendar.py), so this column alone opens no feed. None: no feed.
    calendar_feed_id: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    # Team deployments: an admin manages people (ADMIN_EMAILS or the identity provider's admin
    # group make one); a deactivated person cannot sign in and their sessions are ended.
    is_admin: bool = Field(default=False, sa_column_kwargs={'server_default': text('false')})
    deactivated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


Index(
    'uq_user_account_calendar_feed',
    User.__table__.c.calendar_feed_id,  # type: ignore[attr-defined]
    unique=True,
)


class TaskList(SQLModel, table=True):
    """A person's list of tasks. Every account has exactly one Inbox, which cannot go away."""

    __tablename__ = 'task_list'
    # Ids are never reused (SQLite would otherwise hand out a deleted largest id again).
    __table_args__ = ({'sqlite_autoincrement': True},)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey('user_account.id', ondelete='CASCADE'), nullable=False)
    )
    name: str = Field(max_length=LIST_NAME_MAX)
    colour: str = Field(default='grey', max_length=16)
    position: float = Field(sa_column=Column(Float(), nullable=False))
    is_inbox: bool = Field(default=False)
    # How the person last chose to order this list's open tasks; it sticks per list.
    sort: str = Field(
        default='manual', max_length=16, sa_column_kwargs={'server_default': 'manual'}
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    version: int = Field(default=1, sa_column_kwargs={'server_default': '1'})


# A person's lists in their order; and at most one Inbox each.
Index(
    'ix_task_list_owner',
    TaskList.__table__.c.owner_id,  # type: ignore[attr-defined]
    TaskList.__table__.c.position,  # type: ignore[attr-defined]
)
Index(
    'uq_task_list_inbox',
    TaskList.__table__.c.owner_id,  # type: ignore[attr-defined]
    unique=True,
    sqlite_where=text('is_inbox'),
    postgresql_where=text('is_inbox'),
)


class ListMember(SQLModel, table=True):
    """Someone the owner shares a list with: `editor` may change its tasks, `viewer` only reads."""

    __tablename__ = 'list_member'

    list_id: int = Field(
        sa_column=Column(
            Integer(), ForeignKey('task_list.id', ondelete='CASCADE'), primary_key=True
        )
    )
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey('user_account.id', ondelete='CASCADE'), primary_key=True, index=True
        )
    )
    role: str = Field(sa_column=Column(String(8), nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class UserIdentity(SQLModel, table=True):
    """An account's sign-in at an OpenID Connect provider: the provider's `iss` and `sub`."""

    __tablename__ = 'user_identity'

    id: int | None = Field(default=None, primary_key=True)
    user_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey('user_account.id', ondelete='CASCADE'), nullable=False, index=True
        )
    )
    issuer: str = Field(max_length=255)
    subject: str = Field(max_length=255)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


Index(
    'uq_user_identity_issuer_subject',
    UserIdentity.__table__.c.issuer,  # type: ignore[attr-defined]
    UserIdentity.__table__.c.subject,  # type: ignore[attr-defined]
    unique=True,
)


class Invitation(SQLModel, table=True):
    """A single-use link to join a deployment whose REGISTRATION is `invite`. The link carries
    this id signed with itsdangerous; `used_at` makes it good for one account only."""

    __tablename__ = 'invitation'

    id: str = Field(sa_column=Column(String(32), primary_key=True))
    email: str | None = Field(default=None, max_length=EMAIL_MAX)  # None: anyone with the link
    created_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey('user_account.id', ondelete='SET NULL'), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    used_by: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey('user_account.id', ondelete='SET NULL'), nullable=True),
    )
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Task(SQLModel, table=True):
    __tablename__ = 'task'
    # Ids are never reused: Undo puts a deleted task back under its own id.
    __table_args__ = ({'sqlite_autoincrement': True},)

    id: int | None = Field(default=None, primary_key=True)
    owner_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey('user_account.id', ondelete='CASCADE'), nullable=False)
    )
    list_id: int = Field(
        sa_column=Column(Integer(), ForeignKey('task_list.id', ondelete='CASCADE'), nullable=False)
    )
    # The person's own order within the list: gapped ranks, so a move writes one row.
    position: float = Field(sa_column=Column(Float(), nullable=False))
    # A due date is the person's calendar date. With a time, `due_at` is that instant in UTC and
    # `due_date` its date in the person's zone (kept in step when the zone changes).
    due_date: date | None = Field(default=None, sa_column=Column(Date(), nullable=True))
    due_time: time | None = Field(default=None, sa_column=Column(Time(), nullable=True))
    due_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    priority: int = Field(
        default=0, sa_column=Column(SmallInteger(), nullable=False, server_default='0')
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
    # In a shared list, the member (or owner) who is to do it; None: nobody in particular.
    assignee_id: uuid.UUID | None = Field(
        default=None,
        sa_column=Column(ForeignKey('user_account.id', ondelete='SET NULL'), nullable=True),
    )


# "Assigned to me": a person's assigned open tasks, across the lists shared with them.
Index(
    'ix_task_assignee',
    Task.__table__.c.assignee_id,  # type: ignore[attr-defined]
    Task.__table__.c.completed,  # type: ignore[attr-defined]
    postgresql_where=text('assignee_id IS NOT NULL'),
    sqlite_where=text('assignee_id IS NOT NULL'),
)


# The list query: one user's tasks, incomplete first, newest first.
Index(
    'ix_task_owner_list',
    Task.__table__.c.owner_id,  # type: ignore[attr-defined]
    Task.__table__.c.completed,  # type: ignore[attr-defined]
    Task.__table__.c.created_at.desc(),  # type: ignore[attr-defined]
    Task.__table__.c.id.desc(),  # type: ignore[attr-defined]
)
# One list in the person's order (the default view), completed ones apart.
Index(
    'ix_task_list_order',
    Task.__table__.c.list_id,  # type: ignore[attr-defined]
    Task.__table__.c.completed,  # type: ignore[attr-defined]
    Task.__table__.c.position,  # type: ignore[attr-defined]
    Task.__table__.c.id,  # type: ignore[attr-defined]
)
# Today and Upcoming: a person's open tasks by due date.
Index(
    'ix_task_owner_due',
    Task.__table__.c.owner_id,  # type: ignore[attr-defined]
    Task.__table__.c.completed,  # type: ignore[attr-defined]
    Task.__table__.c.due_date,  # type: ignore[attr-defined]
)
# Search (title or description ILIKE '%words%'), on PostgreSQL only (migration 0006): a person's
# entries of each trigram (pg_trgm) in GIN indexes keyed by owner too (btree_gin), since any one
# trigram is common across everyone's tasks. Partial on non-empty text, so that only a search
# (services/tasks.py says `<> ''`) can use them. SQLite, one person's database, reads their rows.
for _searched in ('title', 'description'):
    Index(
        f'ix_task_owner_{_searched}_trgm',
        Task.__table__.c.owner_id,  # type: ignore[attr-defined]
        Task.__table__.c[_searched],  # type: ignore[attr-defined]
        postgresql_using='gin',
        postgresql_ops={_searched: 'gin_trgm_ops'},
        postgresql_where=text(f"{_searched} <> ''"),
        info={'dialect': 'postgresql'},
    ).ddl_if(dialect='postgresql')


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
    # The device, as its sign-in said: the User-Agent and the client address, cleaned and cut
    # short (services/account.py); shown under "Where you're signed in".
    user_agent: str = Field(
        default='', max_length=USER_AGENT_MAX, sa_column_kwargs={'server_default': ''}
    )
    address: str = Field(
        default='', max_length=ADDRESS_MAX, sa_column_kwargs={'server_default': ''}
    )


# ---------------------------------------------------------------- schemas


class Schema(BaseModel):
    model_config = ConfigDict(from_attributes=True, extra='ignore')


class UserRead(Schema):
    id: uuid.UUID
    email: str
    created_at: datetime
    time_zone: str = 'UTC'
    is_admin: bool = False  # may open the Admin page and /api/admin (services/admin.py)


WeekStart = Literal['monday', 'saturday', 'sunday']
Theme = Literal['system', 'light', 'dark']


class Credentials(Schema):
    email: Email
    password: Password


class TaskCreate(Schema):
    title: Title
    description: Description = ''
    due_date: date | None = None
    due_time: time | None = None
    priority: Priority = 0


class TaskUpdate(Schema):
    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    priority: Priority | None = None


class TaskRead(Schema):
    id: int
    list_id: int
    title: str
    description: str
    completed: bool
    created_at: datetime
    updated_at: datetime
    completed_at: datetime | None
    version: int
    position: float
    due_date: date | None = None
    due_time: time | None = None
    due_at: datetime | None = None
    priority: int = 0
    assignee_id: uuid.UUID | None = None


class TaskQuery(Schema):
    status: TaskStatus = 'all'
    q: SearchText = ''
    limit: int = PydanticField(default=50, ge=1, le=100)
    offset: int = PydanticField(default=0, ge=0, le=10_000_000)
    list_id: int | None = PydanticField(default=None, ge=1, le=2**31 - 1)
    due_before: date | None = None  # due on or before this date
    due_after: date | None = None  # due on or after this date
    overdue: bool | None = None  # open and due before today, in the person's zone
    priority: Priority | None = None
    sort: TaskSort | None = None  # default: the list's own choice, or newest without a list
    assigned_to_me: bool | None = None  # only tasks assigned to the actor (shared lists)


class ListCreate(Schema):
    name: ListName
    colour: ListColour = 'grey'


class ListUpdate(Schema):
    name: ListName | None = None
    colour: ListColour | None = None
    sort: ListSort | None = None


class ListRead(Schema):
    id: int
    name: str
    colour: str
    position: float
    is_inbox: bool
    sort: str
    created_at: datetime
    updated_at: datetime
    version: int
    # The actor's part in it: their own list, or one shared with them to edit or to view.
    role: Literal['owner', 'editor', 'viewer'] = 'owner'


class MemberRead(Schema):
    """Someone who has a shared list: its owner or a member, with their role."""

    user_id: uuid.UUID
    email: str
    role: Literal['owner', 'editor', 'viewer']


class ListSummary(ListRead):
    """A list as the sidebar shows it: with how many of its tasks are still open."""

    open_count: int
    # Everyone who has it, owner first, when it is shared; empty when it is not.
    members: list[MemberRead] = PydanticField(default_factory=list)


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
