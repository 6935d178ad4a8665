"""Request and response bodies that exist only at the HTTP boundary."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models import Description, Email, Password, Title, UserRead


class Strict(BaseModel):
    model_config = ConfigDict(extra='forbid')


class LoginRequest(Strict):
    email: str = Field(max_length=320)
    password: str = Field(max_length=1024)


class RefreshRequest(Strict):
    refresh_token: str = Field(max_length=300)


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
