"""Request and response bodies that exist only at the HTTP boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models import Description, Email, Password, StorableText, Title, UserRead


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


class TaskUpdateRequest(Strict):
    title: Title | None = None
    description: Description | None = None
    completed: bool | None = None


class ErrorResponse(BaseModel):
    detail: str


class RegisterRequest(Strict):
    email: Email
    password: Password
