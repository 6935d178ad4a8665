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


class Forbidden(AppError):
    """The actor may see the thing but not change it (a viewer of a shared list)."""

    status_code = 403
    default_message = 'You may not change this.'


class PreconditionFailed(AppError):
    """A write named a version that is no longer current: someone changed it meanwhile."""

    status_code = 412
    default_message = 'It was changed meanwhile. Reload it and try again.'

    def __init__(self, message: str | None = None, *, current: object = None) -> None:
        super().__init__(message)
        self.current = current  # what it is now (a Read model), for the client to merge


class Conflict(AppError):
    status_code = 409
    default_message = 'That conflicts with existing data.'


class InvalidInput(AppError):
    status_code = 422
    default_message = 'Invalid input.'

    def __init__(
        self, message: str | None = None, *, field: str | None = None, reason: str | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.reason = reason or self.message  # the message without the field's name

    @classmethod
    def from_validation(cls, error: ValidationError) -> InvalidInput:
        """The first problem pydantic found, phrased for a person, with the field it concerns."""
        first = error.errors()[0]
        field = '.'.join(str(part) for part in first['loc']) or None
        reason = _phrase(first['type'], first['msg'], first.get('ctx') or {})
        label = (field or 'value').replace('_', ' ').capitalize()
        return cls(f'{label}: {reason}', field=field, reason=reason)

    @staticmethod
    def every_problem(error: ValidationError) -> dict[str, str]:
        """Each field's first problem, phrased as `from_validation` phrases it (field -> reason),
        for a form that shows them all at once."""
        problems: dict[str, str] = {}
        for item in error.errors():
            field = '.'.join(str(part) for part in item['loc'])
            problems.setdefault(field, _phrase(item['type'], item['msg'], item.get('ctx') or {}))
        return problems


def _phrase(kind: str, message: str, ctx: dict[str, object]) -> str:
    if kind == 'string_too_short':
        if ctx.get('min_length') == 1:
            return 'Must not be empty.'
        return f'Use at least {ctx.get("min_length")} characters.'
    if kind == 'string_too_long':
        return f'Use at most {ctx.get("max_length")} characters.'
    if kind == 'missing':
        return 'This field is required.'
    text = message.removeprefix('Value error, ').removeprefix(
        'value is not a valid email address: '
    )
    text = text[0].upper() + text[1:]
    return text if text.endswith('.') else text + '.'


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


class Unavailable(AppError):
    """The database (or another dependency) cannot be reached right now; nothing was changed."""

    status_code = 503
    default_message = 'Tasklight cannot reach its database right now. Try again in a moment.'

    def __init__(self, message: str | None = None, *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)
