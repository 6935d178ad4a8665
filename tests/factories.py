"""Plain factories with keyword overrides; each runs in its own committed unit of work."""

from __future__ import annotations

import itertools
import uuid

from app.db import session_scope
from app.models import TaskRead, UserRead
from services import auth, tasks

_numbers = itertools.count(1)
PASSWORD = 'correct horse battery'
# Sign-in text no database can store: NUL, and lone surrogates (unencodable as UTF-8).
UNSTORABLE_CREDENTIALS = [
    ('me\x00@example.com', PASSWORD),
    ('me@example.com', 'correct\x00horse'),
    ('me\ud800@example.com', PASSWORD),
    ('me@example.com', 'correct horse \udfff'),
]
UNSTORABLE_IDS = ['nul-email', 'nul-password', 'surrogate-email', 'surrogate-password']


def make_user(*, email: str | None = None, password: str = PASSWORD) -> UserRead:
    with session_scope() as session:
        return auth.register(
            session, email=email or f'person{next(_numbers)}@example.com', password=password
        )


def make_task(
    owner: UserRead | uuid.UUID,
    *,
    title: str | None = None,
    description: str = '',
    completed: bool = False,
) -> TaskRead:
    owner_id = owner.id if isinstance(owner, UserRead) else owner
    with session_scope() as session:
        task = tasks.create_task(
            session,
            actor_id=owner_id,
            title=title or f'Task {next(_numbers)}',
            description=description,
        )
        if completed:
            task = tasks.toggle_task(session, actor_id=owner_id, task_id=task.id)
        return task
