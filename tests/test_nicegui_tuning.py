"""The memoised `expects_arguments` answers exactly as NiceGUI's own does, and the NiceGUI
internals the tuning replaces are still the ones it was written against."""

from __future__ import annotations

import functools
import hashlib
import inspect
from typing import Any

from nicegui import binding, helpers
from nicegui.helpers import functions

from components import nicegui_tuning


class Handlers:
    def no_args(self) -> None: ...

    def one_arg(self, event: Any) -> None: ...

    def defaulted(self, event: Any = None) -> None: ...

    def star(self, *args: Any, **kwargs: Any) -> None: ...


def two(a: Any, b: Any) -> None: ...


CASES = [
    Handlers().no_args,
    Handlers().one_arg,
    Handlers().defaulted,
    Handlers().star,
    two,
    functools.partial(two, 1),
    lambda: None,
    lambda event: None,
]


def test_same_answers_as_nicegui_including_from_the_cache() -> None:
    for _ in range(2):  # the second round answers methods from the table
        for func in CASES:
            assert nicegui_tuning.expects_arguments(func) == nicegui_tuning._original(func), func


def test_methods_are_remembered_per_function_not_per_instance() -> None:
    nicegui_tuning._by_function.clear()
    for _ in range(3):
        nicegui_tuning.expects_arguments(Handlers().one_arg)
    assert nicegui_tuning._by_function == {Handlers.one_arg: True}
    nicegui_tuning.expects_arguments(lambda event: None)
    assert len(nicegui_tuning._by_function) == 1  # plain functions are not kept


def test_apply_installs_it_where_nicegui_looks() -> None:
    nicegui_tuning.apply()
    assert helpers.expects_arguments is nicegui_tuning.expects_arguments
    assert functions.expects_arguments is nicegui_tuning.expects_arguments


# ---------------------------------------------------------------- bindings without the registry


class Source:
    pushed = binding.BindableProperty()

    def __init__(self) -> None:
        self.pushed = 1
        self.polled = 1


class Target:
    def __init__(self) -> None:
        self.value: Any = None


def test_bindable_properties_are_pushed_and_plain_attributes_polled() -> None:
    nicegui_tuning.apply()
    source, pushed, polled = Source(), Target(), Target()
    links_before = len(binding.active_links)
    binding.bind_to(source, 'pushed', pushed, 'value')
    binding.bind_to(source, 'polled', polled, 'value')
    try:
        assert (pushed.value, polled.value) == (1, 1)  # the first propagation, both ways
        assert len(binding.active_links) == links_before + 1
        assert binding.active_links[-1][:2] == (source, ('polled',))
        source.pushed = 2  # pushed at once, no refresh loop needed
        assert pushed.value == 2
        source.polled = 2
        binding._refresh_step()  # what the refresh loop does for a plain attribute
        assert polled.value == 2
    finally:
        binding.remove([source])
    assert binding.active_links[links_before:] == []


def test_setting_a_bindable_property_keeps_no_registry_entry() -> None:
    nicegui_tuning.apply()
    before = len(binding.bindable_properties)
    sources = [Source() for _ in range(10)]
    for source in sources:
        source.pushed = 5
    assert len(binding.bindable_properties) == before


def test_a_two_way_binding_between_bindable_properties_still_syncs() -> None:
    nicegui_tuning.apply()
    first, second = Source(), Source()
    binding.bind(first, 'pushed', second, 'pushed')
    try:
        first.pushed = 7
        assert second.pushed == 7
        second.pushed = 8
        assert first.pushed == 8
    finally:
        binding.remove([first, second])


# ---------------------------------------------------------------- the pinned NiceGUI

# sha256 of `inspect.getsource` of each NiceGUI original that components/nicegui_tuning.py
# replaces, as in the version it was written for.
ORIGINALS = {
    'nicegui.helpers.functions.expects_arguments': (
        '949f5c62f38af7c964f3cc8d8946c3d4c85929792c4a7d6ae579c228a14cbcb8'
    ),
    'nicegui.middlewares.RedirectWithPrefixMiddleware': (
        'f71b1b441fd3c63543e9090cee6618d023780f3cbbbe4a332edf679a69bcb4ed'
    ),
    'nicegui.middlewares.SetCacheControlMiddleware': (
        'da37a070f4d5b35695a54388c3874cd3d3eb5bdb1c3f7ba84d15fc165d3a6f9d'
    ),
    'nicegui.binding.BindableProperty.__set__': (
        '5958bad1743a4b940f0580d23e3efb8d5dc0929e6c425a4e59bc4591c4d99c4f'
    ),
    'nicegui.binding._bind_one_way': (
        '9294ca02672c3f13b45f1c5f6187317c8f0836df45a1e8a6da4595b1bd092a80'
    ),
}
RECHECK = (
    'components/nicegui_tuning.py replaces NiceGUI internals written for NiceGUI {written}. '
    'Before moving on: compare each replacement with the new original (same behaviour? still '
    'needed? does NiceGUI now read X-Forwarded-Prefix anywhere but the request headers?), '
    'then update WRITTEN_FOR_NICEGUI and ORIGINALS here.'
)


def _originals() -> dict[str, object]:
    from nicegui import middlewares

    return {
        'nicegui.helpers.functions.expects_arguments': nicegui_tuning._original,
        'nicegui.middlewares.RedirectWithPrefixMiddleware': (
            middlewares.RedirectWithPrefixMiddleware
        ),
        'nicegui.middlewares.SetCacheControlMiddleware': middlewares.SetCacheControlMiddleware,
        'nicegui.binding.BindableProperty.__set__': nicegui_tuning._original_set,
        'nicegui.binding._bind_one_way': nicegui_tuning._original_bind_one_way,
    }


def test_the_installed_nicegui_is_the_one_the_tuning_was_written_for() -> None:
    from nicegui.version import __version__

    message = RECHECK.format(written=nicegui_tuning.WRITTEN_FOR_NICEGUI)
    assert __version__ == nicegui_tuning.WRITTEN_FOR_NICEGUI, f'NiceGUI {__version__}: {message}'


def test_the_replaced_originals_are_unchanged() -> None:
    message = RECHECK.format(written=nicegui_tuning.WRITTEN_FOR_NICEGUI)
    changed = [
        name
        for name, original in _originals().items()
        if hashlib.sha256(inspect.getsource(original).encode()).hexdigest() != ORIGINALS[name]
    ]
    assert changed == [], f'changed: {", ".join(changed)}. {message}'


def test_ui_run_still_looks_the_middlewares_up_where_the_tuning_swaps_them() -> None:
    """The swap works because `ui.run` reads these module globals when it runs."""
    from nicegui import ui_run

    names = ui_run.run.__code__.co_names
    assert {'RedirectWithPrefixMiddleware', 'SetCacheControlMiddleware'} <= set(names), (
        RECHECK.format(written=nicegui_tuning.WRITTEN_FOR_NICEGUI)
    )
