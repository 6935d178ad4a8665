"""The memoised `expects_arguments` answers exactly as NiceGUI's own does."""

from __future__ import annotations

import functools
from typing import Any

from nicegui import helpers
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
