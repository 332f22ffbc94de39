"""One recording: what a call or command changed in SQL, gathered while it runs.

Whoever records (the API middleware, the command decorator) opens a ``Recording`` in a context
variable; the commit hook the domain hangs on every database (``ChangeCollector``) adds each
committed row's fields to the recording of the context it commits in. A commit outside any
recording (a task, a session of the app's own start) is ignored.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from pydantic_core import to_jsonable_python

from atrium.audit.documents import FieldDiff
from atrium.audit.redaction import redacted
from atrium.core.uow import Change, Committed

_CURRENT: ContextVar[Recording | None] = ContextVar("atrium_audit_recording", default=None)


@dataclass(slots=True)
class Recording:
    """The changes and the ids of the rows committed so far by one call."""

    changes: list[FieldDiff] = field(default_factory=list)
    entity_ids: list[str] = field(default_factory=list)

    def add(self, change: Change) -> None:
        row_id = ",".join(str(part) for part in change.key)
        if row_id not in self.entity_ids:
            self.entity_ids.append(row_id)
        for name, values in change.fields.items():
            self.changes.append(_diff(change, row_id, name, values.old, values.new))


def _diff(change: Change, row_id: str, name: str, old: Any, new: Any) -> FieldDiff:
    return FieldDiff(
        entity=change.entity,
        id=row_id,
        operation=change.operation.value,
        field=name,
        old=stored(name, old),
        new=stored(name, new),
    )


def stored(name: str, value: Any) -> Any:
    """A field's value as the log keeps it: redacted if secret, else as JSON carries it."""
    return to_jsonable_python(redacted(name, value), fallback=str)


@contextmanager
def recording() -> Iterator[Recording]:
    """Record the commits made inside the block (and in tasks it starts) into one recording."""
    found = Recording()
    token = _CURRENT.set(found)
    try:
        yield found
    finally:
        _CURRENT.reset(token)


def current() -> Recording | None:
    return _CURRENT.get()


class ChangeCollector:
    """The commit hook: each committed row goes to the recording of the committing context."""

    async def __call__(self, committed: Committed) -> None:
        found = _CURRENT.get()
        if found is not None:
            for change in committed.changes:
                found.add(change)
