"""Validating what a caller passes into a service, with errors phrased for a person."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.errors import InvalidInput


def validated(model: type[Any], **values: Any) -> Any:
    """`model(**values)`, or InvalidInput naming the first field that is wrong."""
    try:
        return model(**values)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None
