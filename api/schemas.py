"""Request and response bodies that exist only at the HTTP boundary."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from app.models import (
    TIME_ZONE_MAX,
    Description,
    Email,
    ListColour,
    ListName,
    ListRead,
    ListSort,
    Password,
    Priority,
    StorableText,
    TaskRead,
    Theme,
    Title,
    UserRead,
    WeekStart,
)

# A row id a client names: PostgreSQL's ids are 32-bit, so a larger one is refused up front.
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError('must be a wall-clock time in your time zone, without an offset')
    return value


# HH:MM (seconds are accepted and dropped): the person's local time, in their time zone.
DueTime = Annotated[
    time,
    AfterValidator(_wall_clock),
    Field(description='Wall-clock time `HH:MM` in your time zone; needs a `due_date`'),
]
DueDate = Annotated[date, Field(description='A calendar date, `YYYY-MM-DD`')]
PRIORITY_DOC = '0 none, 1 low, 2 medium, 3 high'


class Strict(BaseModel):
    """A request body. Every text field refuses NUL and lone surrogates (tests/api/
    test_input_hygiene.py walks them all): PostgreSQL cannot take them and answers with a 500."""

    model_config = ConfigDict(extra='forbid')


class LoginRequest(Strict):
    email: StorableText = Field(max_length=320)
    password: StorableText = Field(max_length=1024)  # never judged: an old password is as it is


class RefreshRequest(Strict):
    refresh_token: StorableText = Field(max_length=300)


class TokenResponse(BaseModel):
    user: UserRead
    access_token: str
    token_type: Literal['bearer'] = 'bearer'  # noqa: S105 - the scheme's name
    expires_in: int = Field(description='Seconds until the access token expires')
    refresh_token: str


class TaskCreateRequest(Strict):
    title: Title
    description: Description = ''
    list_id: RowId | None = Field(
        default=None, description='One of your lists; the Inbox if left out'
    )
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    priority: Priority = Field(default=0, description=PRIORITY_DOC)
    assignee_id: uuid.UUID | None = Field(
        default=None, description='In a shared list: its owner or a member, who is to do it'
    )


class TaskUpdateRequest(Strict):
    """Only the fields sent change. `due_date: null` clears the due date (and its time);
    `due_time: null` keeps the date and drops the time."""

    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None
    priority: Priority | None = Field(default=None, description=PRIORITY_DOC)
    due_date: DueDate | None = None
    due_time: DueTime | None = None
    assignee_id: uuid.UUID | None = Field(
        default=None, description="Someone who has the task's list; `null` assigns nobody"
    )


class TaskMoveRequest(Strict):
    """Where a task goes: into `list_id` (its own list when left out), right before
    `before_id` or right after `after_id` there; on top when neither is given."""

    list_id: RowId | None = None
    before_id: RowId | None = None
    after_id: RowId | None = None


class ListCreateRequest(Strict):
    name: ListName
    colour: ListColour = 'grey'


class ListUpdateRequest(Strict):
    """Only the fields sent change. The Inbox keeps its name."""

    name: ListName | None = None
    colour: ListColour | None = None
    sort: ListSort | None = Field(
        default=None,
        description='How the list orders its open tasks: your own order (`manual`), by due '
        'date, by priority, or newest first',
    )


class ListMoveRequest(Strict):
    """Right before `before_id` or right after `after_id` (another of your lists); first after
    the Inbox when neither is given."""

    before_id: RowId | None = None
    after_id: RowId | None = None


MemberRole = Literal['editor', 'viewer']
ROLE_DOC = '`editor` may add, change and delete its tasks; `viewer` may only read them'


class ShareRequest(Strict):
    email: StorableText = Field(
        max_length=320, description='Someone with an account on this server'
    )
    role: MemberRole = Field(default='editor', description=ROLE_DOC)


class MemberRoleRequest(Strict):
    role: MemberRole = Field(description=ROLE_DOC)


class TimeZoneRequest(Strict):
    time_zone: StorableText = Field(
        max_length=TIME_ZONE_MAX, description='An IANA time zone name, e.g. `Europe/Berlin`'
    )


class PreconditionFailedBody(BaseModel):
    detail: str
    current: TaskRead


class ListPreconditionFailedBody(BaseModel):
    detail: str
    current: ListRead


class ErrorResponse(BaseModel):
    detail: str


class RegisterRequest(Strict):
    email: Email
    password: Password
    invitation: StorableText | None = Field(
        default=None,
        max_length=200,
        description='The `invite` token of an invitation link; needed when REGISTRATION=invite',
    )


class SettingsRequest(Strict):
    """Only the fields sent change."""

    week_start: WeekStart | None = Field(default=None, description='The first day of a week')
    theme: Theme | None = Field(default=None, description='`system` follows the device')
    default_list_id: RowId | None = Field(
        default=None, description='Where a new task goes without a list; `null` for the Inbox'
    )
    time_zone: StorableText | None = Field(
        default=None, max_length=TIME_ZONE_MAX, description='An IANA name, e.g. `Europe/Berlin`'
    )


class EmailChangeRequest(Strict):
    email: StorableText = Field(max_length=320)
    password: StorableText = Field(max_length=1024, description='Your current password')


class PasswordChangeRequest(Strict):
    current_password: StorableText = Field(max_length=1024)
    new_password: StorableText = Field(max_length=1024)


class DeleteAccountRequest(Strict):
    password: StorableText = Field(max_length=1024)
    confirmation: StorableText = Field(
        max_length=320, description='The words `delete my account`, or your email'
    )


class ForgotPasswordRequest(Strict):
    email: StorableText = Field(max_length=320)


class ResetPasswordRequest(Strict):
    token: StorableText = Field(max_length=400, description='The `token` of the reset link')
    new_password: StorableText = Field(max_length=1024)


class AdminUserUpdate(Strict):
    """Only the fields sent change."""

    deactivated: bool | None = Field(
        default=None, description='`true` ends all their sessions at once and bars sign-in'
    )
    is_admin: bool | None = None


class AdminDeleteRequest(Strict):
    confirmation: StorableText = Field(max_length=320, description="The person's email")


class InvitationCreateRequest(Strict):
    email: StorableText | None = Field(
        default=None, max_length=320, description='Only this address may use it; `null`: anyone'
    )
