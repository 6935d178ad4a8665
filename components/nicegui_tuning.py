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
ASGI equivalents take their place when `ui.run` adds them: the static cache headers below, the
redirect prefix in app/middleware.py (the API application uses it too).

3. X-Forwarded-Prefix. NiceGUI believes it from anyone and puts it in front of redirects and into
the page's script and style URLs, so `X-Forwarded-Prefix: //evil.example` turned a redirect into
`Location: //evil.example/…`. Here it counts only from a proxy in FORWARDED_ALLOW_IPS and only
as a plain path; otherwise it is removed before NiceGUI sees it.

4. The bindable-property registry. Every time a bindable property (an element's `visible`,
`text`, `value`, …) is first set, NiceGUI 3.18 records `(id(element), (name,)) -> element` in a
global `WeakValueDictionary`, only so that a later `bind_*` call can tell a bindable source
(pushed on change) from a plain attribute (polled by the refresh loop). That is three or four
entries per element, about 1.1 KB each element with its weak reference and keys, a quarter of
what a dashboard's element costs (tracemalloc, docs/performance.md), for a question the
property's class answers: here a source is bindable when its class attribute is a
`BindableProperty`, and the property no longer writes the registry.

Each replaced original is fingerprinted in tests/test_nicegui_tuning.py: upgrading NiceGUI fails
that test until these are checked against the new originals.
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, MethodType
from typing import Any

from nicegui import binding, core, helpers, ui_run
from nicegui.helpers import functions
from nicegui.version import __version__
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.middleware import PrefixedRedirects

# The version these replacements were written against and checked with.
WRITTEN_FOR_NICEGUI = '3.18.0'

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


class StaticCacheControl:
    """NiceGUI's SetCacheControlMiddleware as plain ASGI: its versioned static files (not the
    dynamic resources) get NiceGUI's configured `Cache-Control`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get('path', '') if scope['type'] == 'http' else ''
        static = f'/_nicegui/{__version__}/'
        if not path.startswith(static) or path.startswith(f'{static}dynamic_resources/'):
            await self.app(scope, receive, send)
            return
        directives = core.app.config.cache_control_directives.encode('latin-1')

        async def send_cached(message: Message) -> None:
            if message['type'] == 'http.response.start':
                headers = [(k, v) for k, v in message.get('headers', []) if k != b'cache-control']
                message['headers'] = [*headers, (b'cache-control', directives)]
            await send(message)

        await self.app(scope, receive, send_cached)


_original_set = binding.BindableProperty.__set__
_original_bind_one_way = binding._bind_one_way


def bindable_set(self: binding.BindableProperty, owner: Any, value: Any) -> None:
    """`BindableProperty.__set__` without the registry write (else the same)."""
    stored = '___' + self.name
    has_attr = hasattr(owner, stored)
    if not has_attr:
        binding._make_copyable(type(owner))
    value_changed = has_attr and getattr(owner, stored) != value
    if has_attr and not value_changed:
        return
    setattr(owner, stored, value)
    if (id(owner), (self.name,)) in binding.bindings:  # else there is nothing to propagate to
        binding._propagate(owner, (self.name,))
    if value_changed and self._change_handler is not None:
        self._change_handler(owner, value)


def is_bindable(source: Any, name: tuple[str, ...]) -> bool:
    """Whether `source.<name>` pushes its changes (a BindableProperty) rather than being polled."""
    if len(name) != 1:
        return False
    # Not getattr: on the class, the descriptor's __get__ would run with no instance.
    for cls in type(source).__mro__:
        if name[0] in cls.__dict__:
            return isinstance(cls.__dict__[name[0]], binding.BindableProperty)
    return False


def bind_one_way(
    source_obj: Any,
    source_name: tuple[str, ...],
    target_obj: Any,
    target_name: tuple[str, ...],
    transform: Callable[[Any], Any] | None,
) -> None:
    """`binding._bind_one_way`, asking the class instead of the registry (else the same)."""
    binding_key = (id(source_obj), source_name)
    binding.bindings[binding_key].append((source_obj, target_obj, target_name, transform))
    binding._binding_keys_by_object[id(source_obj)].add(binding_key)
    binding._binding_keys_by_object[id(target_obj)].add(binding_key)
    if not is_bindable(source_obj, source_name):
        binding.active_links.append((source_obj, source_name, target_obj, target_name, transform))
        binding._active_links_added.set()
    binding._propagate(source_obj, source_name)


def apply() -> None:
    """Idempotent. Methods are class attributes, so the table stays as small as the classes."""
    helpers.expects_arguments = expects_arguments
    functions.expects_arguments = expects_arguments
    ui_run.RedirectWithPrefixMiddleware = PrefixedRedirects  # type: ignore[attr-defined, assignment]
    ui_run.SetCacheControlMiddleware = StaticCacheControl  # type: ignore[attr-defined, assignment]
    binding.BindableProperty.__set__ = bindable_set  # type: ignore[method-assign]
    binding._bind_one_way = bind_one_way
