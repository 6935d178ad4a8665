"""A person's own order: gapped ranks, moves, renumbering, ties and concurrent moves."""

from __future__ import annotations

import random
import threading
import uuid

import pytest
from sqlalchemy import update

from app.db import session_scope
from app.errors import InvalidInput, NotFound
from app.models import Task, TaskRead
from services import lists, positions, tasks
from tests.factories import make_task, make_user


def _order(owner_id: uuid.UUID, list_id: int | None = None) -> list[int]:
    """The ids of the list's tasks in the person's own order (the Inbox when none is given)."""
    with session_scope() as s:
        list_id = list_id or lists.inbox_id(s, actor_id=owner_id)
        page = tasks.list_tasks(s, actor_id=owner_id, list_id=list_id, sort='manual', limit=100)
    return [item.id for item in page.items]


def _positions(owner_id: uuid.UUID) -> list[float]:
    with session_scope() as s:
        page = tasks.list_tasks(s, actor_id=owner_id, sort='manual', limit=100)
    return [item.position for item in page.items]


def _move(owner_id: uuid.UUID, task_id: int, **where: int | float | None) -> TaskRead:
    with session_scope() as s:
        return tasks.move_task(s, actor_id=owner_id, task_id=task_id, **where)  # type: ignore[arg-type]


def test_a_new_task_goes_on_top_one_step_above_the_last() -> None:
    owner = make_user()
    first = make_task(owner)
    second = make_task(owner)
    third = make_task(owner)
    assert (first.position, second.position, third.position) == (1.0, 0.0, -1.0)
    assert _order(owner.id) == [third.id, second.id, first.id]


def test_before_and_after_put_the_task_right_there() -> None:
    owner = make_user()
    a, b, c, d = (make_task(owner, title=name) for name in 'abcd')
    assert _order(owner.id) == [d.id, c.id, b.id, a.id]
    moved = _move(owner.id, a.id, before_id=c.id)  # between d and c
    assert moved.position == (d.position + c.position) / 2
    assert _order(owner.id) == [d.id, a.id, c.id, b.id]
    _move(owner.id, d.id, after_id=b.id)  # last
    assert _order(owner.id) == [a.id, c.id, b.id, d.id]
    _move(owner.id, b.id)  # neither: on top
    assert _order(owner.id) == [b.id, a.id, c.id, d.id]
    _move(owner.id, c.id, position=-100.0)  # an exact position, as Undo gives it
    assert _order(owner.id) == [c.id, b.id, a.id, d.id]


def test_a_move_writes_only_the_moved_row() -> None:
    owner = make_user()
    a, b, c = (make_task(owner) for _ in range(3))
    moved = _move(owner.id, c.id, after_id=a.id)
    with session_scope() as s:
        now = {t.id: t for t in tasks.list_tasks(s, actor_id=owner.id, limit=10).items}
    assert now[a.id] == a
    assert now[b.id] == b
    assert moved.version == c.version + 1


def test_many_moves_into_one_gap_renumber_the_list_and_keep_the_order() -> None:
    owner = make_user()
    created = [make_task(owner, title=f'{n}') for n in range(5)]
    top, second = created[-1], created[-2]
    expected = _order(owner.id)
    # Move the bottom task right after `top` again and again: each time it halves the same gap.
    # 60 halvings exhaust a double's precision, so the list must be renumbered on the way.
    for round_number in range(60):
        mover = expected[-1]
        _move(owner.id, mover, after_id=top.id)
        expected = [expected[0], mover, *expected[1:-1]]
        assert _order(owner.id) == expected, f'order lost after move {round_number + 1}'
    spread = _positions(owner.id)
    assert len(set(spread)) == len(spread)
    # `top` itself never moved: only a renumbering (ranks 1, 2, 3, …) changed its position
    assert top.position == -3.0
    assert spread[0] == 1.0
    assert second.id in expected


def test_renumbering_spreads_rows_out_in_their_order() -> None:
    owner = make_user()
    made = [make_task(owner) for _ in range(4)]
    with session_scope() as s:
        inbox = lists.inbox_id(s, actor_id=owner.id)
        positions.renumber(s, Task.__table__, [Task.__table__.c.list_id == inbox])  # type: ignore[attr-defined]
    assert _positions(owner.id) == [1.0, 2.0, 3.0, 4.0]
    assert _order(owner.id) == [task.id for task in reversed(made)]


def test_ties_are_broken_by_id_and_a_move_between_tied_rows_separates_them() -> None:
    owner = make_user()
    a, b, c = (make_task(owner) for _ in range(3))
    with session_scope() as s:  # three rows at one position (as an old client or import may)
        s.connection().execute(
            update(Task.__table__).where(Task.__table__.c.owner_id == owner.id).values(position=5.0)  # type: ignore[attr-defined]
        )
    assert _order(owner.id) == [a.id, b.id, c.id]
    _move(owner.id, c.id, before_id=b.id)  # between a and b, which share a position
    assert _order(owner.id) == [a.id, c.id, b.id]
    spread = _positions(owner.id)
    assert len(set(spread)) == 3
    _move(owner.id, a.id, after_id=c.id)
    assert _order(owner.id) == [c.id, a.id, b.id]


def test_moving_next_to_itself_or_a_task_elsewhere_is_invalid_and_changes_nothing() -> None:
    owner = make_user()
    a, b = make_task(owner), make_task(owner)
    with session_scope() as s:
        other = lists.create_list(s, actor_id=owner.id, name='Elsewhere')
        elsewhere = tasks.create_task(s, actor_id=owner.id, title='far', list_id=other.id)
    for where in ({'before_id': a.id}, {'after_id': elsewhere.id}, {'before_id': 2**31 - 1}):
        with pytest.raises(InvalidInput) as caught:
            _move(owner.id, a.id, **where)
        assert caught.value.field in ('before_id', 'after_id')
    with pytest.raises(InvalidInput):
        _move(owner.id, a.id, before_id=b.id, after_id=b.id)
    with pytest.raises(InvalidInput) as caught:
        _move(owner.id, a.id, position=1e300)
    assert caught.value.field == 'position'
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=a.id) == a


def test_moving_into_another_list_puts_it_there() -> None:
    owner = make_user()
    a = make_task(owner)
    with session_scope() as s:
        work = lists.create_list(s, actor_id=owner.id, name='Work')
        x = tasks.create_task(s, actor_id=owner.id, title='x', list_id=work.id)
        y = tasks.create_task(s, actor_id=owner.id, title='y', list_id=work.id)
    moved = _move(owner.id, a.id, list_id=work.id, after_id=y.id)
    assert moved.list_id == work.id
    assert _order(owner.id, work.id) == [y.id, a.id, x.id]
    assert _order(owner.id) == []


def test_moving_another_persons_task_or_into_their_list_is_not_found() -> None:
    owner, intruder = make_user(), make_user()
    mine = make_task(owner)
    theirs = make_task(intruder)
    with session_scope() as s:
        their_list = lists.create_list(s, actor_id=intruder.id, name='Theirs')
    with pytest.raises(NotFound):
        _move(intruder.id, mine.id)
    with pytest.raises(NotFound):
        _move(owner.id, mine.id, list_id=their_list.id)
    with pytest.raises(InvalidInput):  # a neighbour of someone else's is simply not in the list
        _move(owner.id, mine.id, after_id=theirs.id)
    with session_scope() as s:
        assert tasks.get_task(s, actor_id=owner.id, task_id=mine.id) == mine
        assert tasks.get_task(s, actor_id=intruder.id, task_id=theirs.id) == theirs
        assert tasks.list_tasks(s, actor_id=intruder.id, list_id=their_list.id).total == 0


def test_two_people_moving_in_one_list_at_once_end_in_one_consistent_order() -> None:
    """Two tabs (threads, each its own unit of work) move tasks in one list at the same time:
    every move succeeds, and the list ends in one total order without duplicate positions."""
    owner = make_user()
    made = [make_task(owner, title=f't{n}') for n in range(12)]
    ids = [task.id for task in made]
    errors: list[BaseException] = []
    start = threading.Barrier(2)
    moves_each = 40

    def mover(seed: int) -> None:
        chooser = random.Random(seed)
        try:
            start.wait(timeout=10)
            for _ in range(moves_each):
                task_id, anchor = chooser.sample(ids, 2)
                # mostly into one crowded spot, so renumbering happens under contention too
                anchor = ids[0] if chooser.random() < 0.6 and task_id != ids[0] else anchor
                where = 'before_id' if chooser.random() < 0.5 else 'after_id'
                with session_scope() as s:
                    tasks.move_task(s, actor_id=owner.id, task_id=task_id, **{where: anchor})
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=mover, args=(seed,)) for seed in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    order = _order(owner.id)
    assert sorted(order) == sorted(ids)
    spread = _positions(owner.id)
    assert len(set(spread)) == len(spread) == len(ids)
    assert spread == sorted(spread)
    with session_scope() as s:
        versions = {t.id: t.version for t in tasks.list_tasks(s, actor_id=owner.id).items}
    assert sum(v - 1 for v in versions.values()) == 2 * moves_each


def test_lists_move_before_and_after_each_other_and_the_inbox_stays_first() -> None:
    owner = make_user()
    with session_scope() as s:
        a, b, c = (lists.create_list(s, actor_id=owner.id, name=n) for n in 'abc')
        inbox = lists.inbox_id(s, actor_id=owner.id)

    def names() -> list[str]:
        with session_scope() as s:
            return [item.name for item in lists.list_lists(s, actor_id=owner.id)]

    assert names() == ['Inbox', 'a', 'b', 'c']
    with session_scope() as s:
        lists.move_list(s, actor_id=owner.id, list_id=c.id, before_id=a.id)
    assert names() == ['Inbox', 'c', 'a', 'b']
    with session_scope() as s:
        lists.move_list(s, actor_id=owner.id, list_id=c.id, after_id=b.id)
    assert names() == ['Inbox', 'a', 'b', 'c']
    with session_scope() as s:
        lists.move_list(s, actor_id=owner.id, list_id=b.id)
    assert names() == ['Inbox', 'b', 'a', 'c']
    for where in ({'before_id': inbox}, {'after_id': b.id, 'before_id': a.id}):
        with pytest.raises(InvalidInput), session_scope() as s:
            lists.move_list(s, actor_id=owner.id, list_id=a.id, **where)
    with pytest.raises(InvalidInput), session_scope() as s:
        lists.move_list(s, actor_id=owner.id, list_id=inbox, after_id=a.id)
    assert names() == ['Inbox', 'b', 'a', 'c']
