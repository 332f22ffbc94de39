"""The to-dos domain's queries: every read and write of its table is here."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Select, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import col

from atrium.core.datascope import Caller, Reach
from atrium.core.pages import Page, PageParams, paginate
from atrium.todos.models import PRIORITY_RANK, TODO_SCOPE, Todo, TodoStatus
from atrium.todos.schemas import SortOrder, TodoSort


@dataclass(frozen=True, slots=True)
class TodoFilters:
    """What a list keeps: every filter given must hold (``q``: the title contains it)."""

    status: TodoStatus | None = None
    assignee_id: UUID | None = None
    owner_id: UUID | None = None
    due_before: datetime | None = None
    due_after: datetime | None = None
    q: str | None = None

    def clauses(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        for column, value in (
            (col(Todo.status), self.status),
            (col(Todo.assignee_id), self.assignee_id),
            (col(Todo.owner_id), self.owner_id),
        ):
            if value is not None:
                found.append(column == value)
        if self.due_before is not None:
            found.append(col(Todo.due_at) < self.due_before)
        if self.due_after is not None:
            found.append(col(Todo.due_at) >= self.due_after)
        if self.q:
            found.append(func.lower(col(Todo.title)).like(_like(self.q), escape="\\"))
        return found


def _like(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


_SORT_KEYS: dict[TodoSort, Any] = {
    TodoSort.DUE: col(Todo.due_at),
    TodoSort.PRIORITY: case(PRIORITY_RANK, value=col(Todo.priority)),
    TodoSort.CREATED: col(Todo.created_at),
    TodoSort.UPDATED: col(Todo.updated_at),
}


def ordered(query: Select[Any], sort: TodoSort, order: SortOrder) -> Select[Any]:
    """Sorted by ``sort`` (to-dos without a due date last either way), the id breaking ties."""
    key, tie = _SORT_KEYS[sort], col(Todo.id)
    if order is SortOrder.DESC:
        return query.order_by(key.desc().nulls_last(), tie.desc())
    return query.order_by(key.asc().nulls_last(), tie.asc())


async def get_in_scope(session: AsyncSession, todo_id: UUID, caller: Caller) -> Todo | None:
    """The to-do if it is within the caller's scope (else None, existing or not)."""
    query = select(Todo).where(col(Todo.id) == todo_id, TODO_SCOPE.sql(Todo, caller))
    return (await session.execute(query)).scalars().first()


async def page(
    session: AsyncSession,
    caller: Caller,
    filters: TodoFilters,
    sort: tuple[TodoSort, SortOrder],
    params: PageParams,
    reach: Reach = Reach.ALL,
) -> Page[Todo]:
    query = select(Todo).where(TODO_SCOPE.sql(Todo, caller, reach), *filters.clauses())
    return await paginate(session, ordered(query, *sort), params)


@dataclass(frozen=True, slots=True)
class Due:
    """A to-do whose reminder was just claimed: what the reminder says and whom it goes to."""

    id: UUID
    title: str
    due_at: datetime
    owner_id: UUID
    assignee_id: UUID | None

    @property
    def recipient(self) -> UUID:
        return self.assignee_id or self.owner_id


async def claim_due(session: AsyncSession, until: datetime, now: datetime, limit: int) -> list[Due]:
    """Mark the reminder of to-dos due before ``until`` (not done, not reminded) as sent, and
    return them: one statement, so two runs never claim the same to-do."""
    pending = (
        select(col(Todo.id))
        .where(
            col(Todo.reminded_at).is_(None),
            col(Todo.due_at).is_not(None),
            col(Todo.due_at) <= until,
            col(Todo.status) != TodoStatus.DONE,
        )
        .order_by(col(Todo.due_at))
        .limit(limit)
    )
    claim = (
        update(Todo)
        .where(col(Todo.id).in_(pending), col(Todo.reminded_at).is_(None))
        # The reminder is no edit: ``updated_at`` keeps its value.
        .values(reminded_at=now, updated_at=col(Todo.updated_at))
        .returning(
            col(Todo.id),
            col(Todo.title),
            col(Todo.due_at),
            col(Todo.owner_id),
            col(Todo.assignee_id),
        )
        .execution_options(synchronize_session=False)
    )
    rows: Sequence[Any] = (await session.execute(claim)).all()
    return [Due(*row) for row in rows]


async def open_of(session: AsyncSession, user_id: UUID, limit: int) -> tuple[list[Todo], int]:
    """A user's open to-dos (owned or assigned, not done), soonest due first, and how many."""
    mine = TODO_SCOPE.sql(Todo, Caller.of(user_id), Reach.ALL)
    where = (mine, col(Todo.status) != TodoStatus.DONE)
    total = (await session.execute(select(func.count()).select_from(Todo).where(*where))).scalar()
    query = (
        select(Todo)
        .where(*where)
        .order_by(col(Todo.due_at).is_(None), col(Todo.due_at), col(Todo.id))
        .limit(limit)
    )
    return list((await session.execute(query)).scalars()), int(total or 0)
