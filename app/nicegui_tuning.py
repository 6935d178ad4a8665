"""Measured speed-ups for NiceGUI 3.18 (see docs/performance.md); each keeps its behaviour.

1. Element construction.

Every element builds three observable collections (classes, style, props), and each asks
`helpers.expects_arguments(self._update)` — an `inspect.signature` call — on construction. With
about 200 elements on a dashboard that was a fifth of the page's server time (py-spy, see
docs/performance.md). Whether a *method* expects arguments depends only on its function, so the
answer is kept per function; anything else (lambdas, partials, callables) is asked afresh as
before. Remove once NiceGUI resolves this itself.

2. Middleware. `ui.run` wraps every request in two `BaseHTTPMiddleware`s (redirect prefix, static
cache headers); each runs the rest of the request in a new task through a memory stream. Plain
ASGI equivalents from `app.middleware` take their place when `ui.run` adds them.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any

from nicegui import helpers, ui_run
from nicegui.helpers import functions

from app.middleware import PrefixedRedirects, StaticCacheControl

_original: Callable[[Callable[..., Any]], bool] = functions.expects_arguments
_by_function: dict[FunctionType, bool] = {}
_LIMIT = 4096


def expects_arguments(func: Callable[..., Any]) -> bool:
    if type(func) is MethodType and type(func.__func__) is FunctionType:
        underlying = func.__func__
        known = _by_function.get(underlying)
        if known is None:
            known = _original(func)
            if len(_by_function) < _LIMIT:  # a bound, should classes ever be made on the fly
                _by_function[underlying] = known
        return known
    return _original(func)


def apply() -> None:
    """Idempotent. Methods are class attributes, so the table stays as small as the classes."""
    helpers.expects_arguments = expects_arguments
    functions.expects_arguments = expects_arguments
    ui_run.RedirectWithPrefixMiddleware = PrefixedRedirects  # type: ignore[attr-defined, assignment]
    ui_run.SetCacheControlMiddleware = StaticCacheControl  # type: ignore[attr-defined, assignment]
