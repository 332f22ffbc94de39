"""The unit of work of one SQL session: what it changed, and what must follow its commit.

Every session ``Database.session()`` opens (a request's ``SessionDep``, a task's, a command's)
carries a ``UnitOfWork`` that records two things:

- each row the ORM flushed, as a ``Change`` (entity, primary key, operation, fields old and
  new), read from SQLAlchemy's attribute history at flush time, for the tables a hook watches;
- *notes*: what a domain records itself (``unit_of(session).note(KEY)``) where the ORM sees
  nothing, such as a bulk ``DELETE`` or rows that must be read before they go.

Once the transaction commits, the database's commit hooks (``CommitHooks``, registered by the
domains) run with what was committed, before the session's owner goes on: for a request, before
the response is sent. Every hook runs; the first failure is then raised, so the caller fails
although the commit stands. A rolled-back transaction (or savepoint) forgets what it recorded,
and no hook hears of it. Columns marked ``secret()`` reach hooks only as ``REDACTED``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final, Generic, TypeVar, cast

import structlog
from sqlalchemy import Table, event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstanceState, Mapper, Session, SessionTransaction, UOWTransaction

T = TypeVar("T")
log = structlog.get_logger(__name__)

REDACTED: Final = "<redacted>"
_SECRET = "atrium.secret"  # noqa: S105 (a column info key, not a password)
_UNIT_KEY = "atrium.unit_of_work"


def secret() -> dict[str, Any]:
    """Column ``info`` for a secret (a password hash): hooks see ``REDACTED``, never the value.

    ``Field(..., sa_column_kwargs={"info": secret()})``.
    """
    return {_SECRET: True}


class Operation(StrEnum):
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One column's value before and after (``None`` for an insert's old, a delete's new)."""

    old: Any
    new: Any


@dataclass(frozen=True, slots=True)
class Change:
    """One row as a flush wrote it: an update lists only the fields that changed."""

    entity: str  # the table name
    model: type[Any]
    key: tuple[Any, ...]  # the primary key, in the table's column order
    operation: Operation
    fields: Mapping[str, FieldChange]

    def changed(self, *names: str) -> bool:
        return any(name in self.fields for name in names)

    def value(self, name: str) -> Any:
        """The field's value after the change (before it, for a delete)."""
        found = self.fields.get(name)
        if found is None:
            return None
        return found.old if self.operation is Operation.DELETE else found.new


class NoteKey(Generic[T]):
    """A typed note a domain keeps in a unit of work, made by ``factory`` on first use."""

    def __init__(self, name: str, factory: Callable[[], T]) -> None:
        self.name = name
        self.factory = factory

    def __repr__(self) -> str:
        return f"NoteKey({self.name!r})"


@dataclass(frozen=True, slots=True)
class Committed:
    """What one commit saved, as a hook sees it (the changes of the tables it watches)."""

    changes: Sequence[Change] = ()
    notes: Mapping[str, Any] = field(default_factory=dict)

    def note(self, key: NoteKey[T]) -> T | None:
        return cast(T | None, self.notes.get(key.name))

    def __bool__(self) -> bool:
        return bool(self.changes or self.notes)


CommitHook = Callable[[Committed], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class _Entry:
    hook: CommitHook
    entities: frozenset[str] | None  # None: every table

    def view(self, batch: Committed) -> Committed:
        if self.entities is None:
            return batch
        changes = [change for change in batch.changes if change.entity in self.entities]
        return Committed(changes, batch.notes)


class CommitHooks:
    """The hooks a database runs after each commit, in the order they were added."""

    def __init__(self) -> None:
        self._entries: list[_Entry] = []

    def add(self, hook: CommitHook, entities: Collection[str] | None = None) -> None:
        """Run ``hook`` after every commit that changed ``entities`` (tables; None: any) or
        carries a note."""
        self._entries.append(_Entry(hook, None if entities is None else frozenset(entities)))

    def remove(self, hook: CommitHook) -> None:
        self._entries = [entry for entry in self._entries if entry.hook is not hook]

    def watches(self, entity: str) -> bool:
        return any(entry.entities is None or entity in entry.entities for entry in self._entries)

    async def run(self, batch: Committed, *, quiet: bool = False) -> None:
        """Run every hook concerned; then raise the first failure (unless ``quiet``)."""
        failure: Exception | None = None
        for entry in self._entries:
            if view := entry.view(batch):
                try:
                    await entry.hook(view)
                except Exception as exc:
                    log.warning("commit_hook_failed", hook=repr(entry.hook), error=repr(exc))
                    failure = failure or exc
        if failure is not None and not quiet:
            raise failure


class UnitOfWork:
    """What one session flushed and noted, kept per transaction until it commits."""

    def __init__(self, hooks: CommitHooks) -> None:
        self._hooks = hooks
        self._pending: list[tuple[SessionTransaction | None, Change]] = []
        self._notes: dict[str, Any] = {}
        self._committed: list[Committed] = []

    @classmethod
    def begin(cls, session: AsyncSession, hooks: CommitHooks) -> UnitOfWork:
        unit = cls(hooks)
        session.info[_UNIT_KEY] = unit
        return unit

    def note(self, key: NoteKey[T]) -> T:
        """This transaction's note ``key`` (made on first use); hooks read it after the commit."""
        if key.name not in self._notes:
            self._notes[key.name] = key.factory()
        return cast(T, self._notes[key.name])

    def flushed(self, session: Session) -> None:
        scope = session.get_nested_transaction() or session.get_transaction()
        for operation, objects in (
            (Operation.INSERT, session.new),
            (Operation.UPDATE, session.dirty),
            (Operation.DELETE, session.deleted),
        ):
            for obj in objects:
                state: InstanceState[Any] = inspect(obj)
                if not self._hooks.watches(_table(state.mapper)):
                    continue
                if (change := describe(state, operation)) is not None:
                    self._pending.append((scope, change))

    def committed(self) -> None:
        """The root transaction committed: what it recorded is for the hooks now."""
        batch = Committed(tuple(change for _, change in self._pending), self._notes)
        self._pending, self._notes = [], {}
        if batch:
            self._committed.append(batch)

    def rolled_back(self, transaction: SessionTransaction) -> None:
        boundary = transaction  # a failed flush undoes up to its savepoint, or everything
        while boundary.parent is not None and not boundary.nested:
            boundary = boundary.parent
        if boundary.parent is None:
            self._pending, self._notes = [], {}
            return
        self._pending = [(s, c) for s, c in self._pending if not _within(s, boundary)]

    async def settle(self, *, quiet: bool = False) -> None:
        """Run the commit hooks on everything committed so far (see ``CommitHooks.run``)."""
        batches, self._committed = self._committed, []
        for batch in batches:
            await self._hooks.run(batch, quiet=quiet)


def unit_of(session: AsyncSession | Session) -> UnitOfWork:
    """The unit of work of a session opened by ``Database.session()``."""
    unit = session.info.get(_UNIT_KEY)
    if not isinstance(unit, UnitOfWork):
        raise LookupError("this session has no unit of work: open it with Database.session()")
    return unit


def _within(scope: SessionTransaction | None, boundary: SessionTransaction) -> bool:
    while scope is not None:
        if scope is boundary:
            return True
        scope = scope.parent
    return False


def describe(state: InstanceState[Any], operation: Operation) -> Change | None:
    """The change a flush makes to one object (None for an update that changes no column)."""
    mapper = state.mapper
    fields: dict[str, FieldChange] = {}
    for attribute in mapper.column_attrs:
        found = _field(state, attribute.key, operation)
        if found is not None:
            secret_column = any(column.info.get(_SECRET) for column in attribute.columns)
            fields[attribute.key] = _redacted(found) if secret_column else found
    if operation is Operation.UPDATE and not fields:
        return None
    key = tuple(state.dict.get(mapper.get_property_by_column(c).key) for c in mapper.primary_key)
    return Change(_table(mapper), mapper.class_, key, operation, fields)


def _table(mapper: Mapper[Any]) -> str:
    return cast(Table, mapper.local_table).name


def _field(state: InstanceState[Any], name: str, operation: Operation) -> FieldChange | None:
    if operation is Operation.UPDATE:
        history = state.attrs[name].history
        if not history.has_changes():
            return None
        return FieldChange(
            history.deleted[0] if history.deleted else None,
            history.added[0] if history.added else None,
        )
    if name not in state.dict:  # not loaded: nothing to tell
        return None
    value = state.dict[name]
    return FieldChange(None, value) if operation is Operation.INSERT else FieldChange(value, None)


def _redacted(found: FieldChange) -> FieldChange:
    return FieldChange(
        None if found.old is None else REDACTED, None if found.new is None else REDACTED
    )


class TrackedSession(Session):
    """The sync session behind every ``Database`` session: its events feed the unit of work."""


def _unit(session: Session) -> UnitOfWork | None:
    unit = session.info.get(_UNIT_KEY)
    return unit if isinstance(unit, UnitOfWork) else None


@event.listens_for(TrackedSession, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    if (unit := _unit(session)) is not None:
        unit.flushed(session)


@event.listens_for(TrackedSession, "after_commit")
def _after_commit(session: Session) -> None:
    # Savepoints commit too; only the root transaction's commit makes anything durable.
    if (unit := _unit(session)) is not None and session.get_nested_transaction() is None:
        unit.committed()


@event.listens_for(TrackedSession, "after_soft_rollback")
def _after_rollback(session: Session, transaction: SessionTransaction) -> None:
    if (unit := _unit(session)) is not None:
        unit.rolled_back(transaction)
