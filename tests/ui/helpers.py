from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from datetime import date, time
from html.parser import HTMLParser
from typing import Any

import httpx
from nicegui import Client, ElementFilter, context, ui
from nicegui.element import Element
from nicegui.functions.navigate import History, Navigate
from nicegui.testing import User
from nicegui.testing.user_interaction import UserInteraction

from app.config import SESSION_COOKIE as COOKIE
from app.db import session_scope
from app.models import ListRead, TaskRead, UserRead
from services import auth, lists, sharing, tasks
from tests.factories import PASSWORD, make_user


async def submit_form(user: User, path: str, button: str, **fields: str) -> None:
    """Open `path`, type each value into the field marked with its name, and press `button`."""
    await user.open(path)
    for marker, value in fields.items():
        user.find(marker=marker).type(value)
    user.find(kind=ui.button, content=button).click()


async def sign_up(user: User, email: str, password: str = PASSWORD) -> None:
    await submit_form(user, '/signup', 'Sign up', email=email, password=password, confirm=password)
    await user.should_see('New task', retries=50)


async def sign_in(user: User, email: str, password: str = PASSWORD) -> None:
    await submit_form(user, '/login', 'Sign in', email=email, password=password)
    await user.should_see('New task', retries=50)


async def signed_in_person(user: User, email: str = 'me@example.com') -> UserRead:
    person = make_user(email=email)
    await sign_in(user, email)
    return person


def stored_tasks(owner: UserRead) -> list[TaskRead]:
    with session_scope() as session:
        return tasks.list_tasks(session, actor_id=owner.id, limit=100).items


def checkbox(user: User, title: str) -> ui.checkbox:
    matches = [e for e in user.find(kind=ui.checkbox).elements if e.text == title]
    assert len(matches) == 1, f'expected one checkbox named {title!r}, found {len(matches)}'
    return matches[0]


async def eventually(condition: Callable[[], bool], seconds: float = 20.0) -> None:
    """Wait for work the page does in the background (a service call, a live refresh).

    A condition that cannot be checked yet (`user.find` found nothing) is not met yet. The
    deadline is generous because it only matters when something is wrong: on a machine whose
    cores are all busy a service call in a worker thread can take seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        try:
            if condition():
                return
            problem: AssertionError = AssertionError('condition not met in time')
        except AssertionError as error:
            problem = error
        if loop.time() > deadline:
            raise problem
        await asyncio.sleep(0.02)


def titles_on_page(user: User) -> list[str]:
    """The task titles shown, top to bottom (the filter walks the element tree in order)."""
    with user:
        return [box.text for box in ElementFilter(kind=ui.checkbox)]


async def open_as(user: User, person: UserRead) -> None:
    """Sign `user` in as `person` by cookie, without the sign-in form.

    For the second and third people in a test: the simulation routes `ui.navigate` to whichever
    User was touched last, so a form sign-in racing another User's page can land in the wrong one.
    """
    with session_scope() as session:
        ticket = auth.start_session(session, user=person, kind='browser')
        cookie = auth.activate_browser_session(session, ticket=ticket.token)
    user.http_client.cookies.set(COOKIE, cookie.token)
    await user.open('/tasks')


class RoutedNavigation(Navigate):
    """`ui.navigate` as a browser has it: it moves the tab whose client is in context.

    The simulation sends `ui.navigate` to whichever User was touched last, so with two tabs a
    navigation can land in the wrong one, and one made outside any client context still lands
    somewhere. Here it goes to the User showing the client in context, and raises (as the real
    one does) when there is none, so a test sees a page that navigates from the wrong place."""

    def __init__(self, users: list[User]) -> None:
        super().__init__()
        self.users = users
        self.own = {id(user): user.navigate for user in users}
        self.history = RecordedHistory(self)
        self.addresses: dict[str, list[tuple[str, str]]] = {}  # by client id

    def user_in_context(self) -> User | None:
        client = context.client  # RuntimeError outside a client's context, like the real one
        return next((user for user in self.users if user.client is client), None)

    def addresses_of(self, user: User) -> list[tuple[str, str]]:
        """What the page `user` shows put in the address bar: ('push' or 'replace', url)."""
        return self.addresses.get(user.client.id if user.client else '', [])

    def to(self, target: Callable[..., Any] | str | ui.element, new_tab: bool = False) -> None:
        user = self.user_in_context()
        if user is not None:  # else a client no User shows any more: a browser ignores it too
            self.own[id(user)].to(target, new_tab)


class RecordedHistory(History):
    """`ui.navigate.history` without JavaScript: records what each tab's address bar would say."""

    def __init__(self, router: RoutedNavigation) -> None:
        self.router = router

    def push(self, url: str) -> None:
        self._record('push', url)

    def replace(self, url: str) -> None:
        self._record('replace', url)

    def _record(self, kind: str, url: str) -> None:
        # By client: a page being built is not yet the one its User shows.
        self.router.addresses.setdefault(context.client.id, []).append((kind, url))


def route_navigation(*users: User) -> RoutedNavigation:
    router = RoutedNavigation(list(users))
    for user in users:
        user.navigate = router
    return router


def on_path(user: User, path: str) -> bool:
    """Whether `user` shows the page at `path` (without its query)."""
    return user.client is not None and user.client.page.path == path


def make_list(owner: UserRead, name: str, colour: str = 'grey') -> ListRead:
    with session_scope() as session:
        return lists.create_list(session, actor_id=owner.id, name=name, colour=colour)


def task_in(
    owner: UserRead,
    title: str,
    *,
    list_id: int | None = None,
    due_date: date | None = None,
    due_time: time | None = None,
    priority: int = 0,
    completed: bool = False,
) -> TaskRead:
    """A task made elsewhere (the API, another tab), in a list, with a due date or priority."""
    with session_scope() as session:
        task = tasks.create_task(
            session,
            actor_id=owner.id,
            title=title,
            list_id=list_id,
            due_date=due_date,
            due_time=due_time,
            priority=priority,
        )
        if completed:
            task = tasks.update_task(session, actor_id=owner.id, task_id=task.id, completed=True)
        return task


def share(owner_id: object, list_id: int, email: str, role: str) -> None:
    with session_scope() as session:
        sharing.share_list(session, actor_id=owner_id, list_id=list_id, email=email, role=role)


def hidden(element: ui.element) -> bool:
    """Not shown: it or one of its ancestors is hidden."""
    current: ui.element | None = element
    while current is not None:
        if not current.visible:
            return True
        current = current.parent_slot.parent if current.parent_slot is not None else None
    return False


def inbox_of(owner: UserRead) -> int:
    with session_scope() as session:
        return lists.inbox_id(session, actor_id=owner.id)


def stored_lists(owner: UserRead) -> list[tuple[str, str]]:
    """The person's lists as (name, colour), Inbox first then in their order."""
    with session_scope() as session:
        return [(e.name, e.colour) for e in lists.list_lists(session, actor_id=owner.id)]


def titles_in(user: User, marker: str, *, outside: bool = False) -> list[str]:
    """The task titles shown inside the element marked `marker` (or everywhere else), in order."""
    with user:
        boxes = list(ElementFilter(kind=ui.checkbox))
        inside = {id(box) for box in ElementFilter(kind=ui.checkbox).within(marker=marker)}
    return [box.text for box in boxes if (id(box) in inside) != outside]


def press(user: User, task_id: int, action: str) -> None:
    """Press a row's Edit, Delete or More actions button. They are plain HTML in the row (no
    server element each), so this sends what the browser's click sends: the rows container's
    one click event with the action and the row's task id."""
    with user:
        card = next(iter(ElementFilter(marker=f'task-{task_id}')))
    container = card.parent_slot.parent
    UserInteraction(user, {container}, None).trigger('click', {'action': action, 'id': task_id})


class _Parts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: dict[str, dict[str, str]] = {}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or '' for key, value in attrs}
        if 'data-part' in named:
            self._open = named['data-part']
            self.parts[self._open] = {**named, 'text': ''}

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.parts[self._open]['text'] += data


def row_parts(user: User, task_id: int) -> dict[str, dict[str, str]]:
    """A row's list chip, due chip and priority flag ('list', 'due', 'priority'), each as its
    attributes plus 'text', from the HTML the row shows."""
    with user:
        side = next(iter(ElementFilter(marker=f'side-{task_id}')))
    parser = _Parts()
    parser.feed(side.content)
    return parser.parts


class _Nav(HTMLParser):
    """The sidebar's HTML: each `<a data-nav>` entry's attributes, text and parts."""

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, dict[str, Any]] = {}
        self._key: str | None = None  # the last entry seen (its members follow its link)
        self._inside = False
        self._part: str | None = None
        self._hidden: str | None = None  # inside an aria-hidden element (an icon's ligature)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or '' for key, value in attrs}
        if named.get('aria-hidden') == 'true':
            self._hidden = tag
        if tag == 'a' and 'data-nav' in named:
            self._key, self._inside = named['data-nav'], True
            self.entries[self._key] = {**named, 'text': '', 'parts': {}}
        elif 'data-part' in named and self._key is not None:
            self._part = named['data-part']
            self.entries[self._key]['parts'][self._part] = {**named, 'text': ''}
        elif 'data-list-menu' in named and self._key is not None:
            self.entries[self._key]['menu'] = named

    def handle_endtag(self, tag: str) -> None:
        if tag == self._hidden:
            self._hidden = None
        if tag == 'span':
            self._part = None
        elif tag == 'a':
            self._inside = False

    def handle_data(self, data: str) -> None:
        if self._key is None or self._hidden is not None:
            return
        if self._inside:
            self.entries[self._key]['text'] += data
        if self._part is not None:
            self.entries[self._key]['parts'][self._part]['text'] += data


def sidebar(user: User) -> dict[str, dict[str, Any]]:
    """The sidebar's entries by key ('inbox', 'today', 'list-7', 'completed', …), in order:
    each its link's attributes ('href', 'aria-current', 'data-drop', …), its 'text' (what its
    name reads: "Work 3 open"), its 'parts' ('count', 'spoken', 'members') and, for a list,
    its Options button as 'menu'."""
    parser = _Nav()
    with user:
        for marker in ('sidebar-lists', 'sidebar-more'):
            for element in ElementFilter(marker=marker):
                parser.feed(element.content)
    return parser.entries


def in_sidebar(user: User, key: str) -> bool:
    return user.client is not None and key in sidebar(user)


def sidebar_count(user: User, key: str) -> str:
    """The number the sidebar's entry `key` shows ('' if none)."""
    return sidebar_parts(user, key).get('count', {}).get('text', '')


def sidebar_parts(user: User, key: str) -> dict[str, dict[str, str]]:
    """The entry's count, what a screen reader hears after it, and who shares the list
    ('count', 'spoken', 'members'), each as its attributes plus 'text'."""
    return sidebar(user)[key]['parts']


def open_list_menu(user: User, list_id: int) -> None:
    """Press a list's Options button (its one click reaches the drawer's listener)."""
    assert 'menu' in sidebar(user)[f'list-{list_id}'], f'list {list_id} has no Options button'
    user.find(marker='sidebar').trigger('click', {'menu': list_id})


def drop_on_list(user: User, list_id: int, task_id: object) -> None:
    """Drop a dragged row on a list in the sidebar, as the drawer's drop listener reports it."""
    user.find(marker='sidebar').trigger('drop', {'task': task_id, 'list': list_id})


async def follow(user: User, key: str) -> None:
    """Follow the sidebar's link `key` (a plain link: the browser loads its page)."""
    await user.open(sidebar(user)[key]['href'])


def open_completed(user: User) -> None:
    """Open the list's Completed section (its rows are built only while it is open)."""
    with user:
        section = next(iter(ElementFilter(marker='completed-section')))
        section.value = True


def elements_of(response: httpx.Response) -> list[Element]:
    """The elements of the page NiceGUI answered with (it renders them in the browser)."""
    match = re.search(r"'client_id': '([0-9a-f-]+)'", response.text)
    assert match is not None
    return list(Client.instances[match.group(1)].elements.values())


def headings(response: httpx.Response) -> list[str]:
    return [str(getattr(e, 'text', '')) for e in elements_of(response) if e.tag == 'h1']


def way_back(response: httpx.Response) -> tuple[str, str]:
    (button,) = [e for e in elements_of(response) if 'way-back' in (e._markers or [])]
    return str(getattr(button, 'text', '')), str(button.props['href'])
