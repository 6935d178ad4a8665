"""The expected failures of Tasklight, and how each reaches a client."""

from __future__ import annotations

from typing import ClassVar

from pydantic import ValidationError


class AppError(Exception):
    """An expected failure with a message that is safe to show to the person who caused it."""

    status_code: ClassVar[int] = 400
    default_message: ClassVar[str] = 'The request could not be completed.'

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class NotFound(AppError):
    status_code = 404
    default_message = 'Not found.'


class Conflict(AppError):
    status_code = 409
    default_message = 'That conflicts with existing data.'


class InvalidInput(AppError):
    status_code = 422
    default_message = 'Invalid input.'

    def __init__(self, message: str | None = None, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field

    @classmethod
    def from_validation(cls, error: ValidationError) -> InvalidInput:
        """The first problem pydantic found, phrased for a person, with the field it concerns."""
        first = error.errors()[0]
        field = '.'.join(str(part) for part in first['loc']) or None
        message = first['msg'].removeprefix('Value error, ')
        label = (field or 'value').replace('_', ' ').capitalize()
        return cls(f'{label}: {message[0].lower()}{message[1:]}', field=field)


class AuthFailed(AppError):
    status_code = 401
    default_message = 'Invalid email or password.'


class NotAuthenticated(AppError):
    status_code = 401
    default_message = 'Not signed in, or the session has ended.'


class RateLimited(AppError):
    status_code = 429
    default_message = 'Too many attempts. Try again later.'

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
