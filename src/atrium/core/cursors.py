"""Cursor pages: long feeds read one bounded page at a time, after an opaque cursor.

A cursor is the position of the last item a page returned: the values of the page's sort keys,
as base64url JSON (``{"id": "65f0..."}``, ``{"at": "2026-...", "id": "65f0..."}``). It names a
position, not an offset, so items added or removed meanwhile neither repeat nor go missing.

A keyset is the order: its keys, all in one direction, the last one unique (the tie-breaker).
The same keyset turns a cursor into a MongoDB filter and sort for a Beanie query
(``MongoKeyset``) or into a SQL WHERE and ORDER BY (``SqlKeyset``), fetches one item more than
the page to know whether another follows, and makes the next cursor from the page's last item.
A cursor that does not decode, or whose values do not parse, is a 400 ``INVALID_CURSOR``.

The query parameters (``limit``, ``cursor``) are the HTTP side's: ``atrium.core.pagination``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar
from uuid import UUID

from beanie import Document, PydanticObjectId, SortDirection
from bson.errors import InvalidId
from sqlalchemy import ColumnElement, Select, and_, or_
from sqlalchemy.ext.asyncio import AsyncSession

from atrium.core.errors import InvalidCursor
from atrium.core.pages import MAX_PAGE_SIZE
from atrium.core.schemas import Schema

T = TypeVar("T")
F = TypeVar("F")
D = TypeVar("D", bound=Document)


class CursorPage(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(position: Mapping[str, Any]) -> str:
    """An opaque cursor for the position after the last item returned."""
    raw = json.dumps(position, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The position a cursor stands for (None for no cursor); a malformed cursor is a 400."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise _invalid() from exc
    if not isinstance(value, dict):
        raise _invalid()
    return value


def _invalid() -> InvalidCursor:
    return InvalidCursor()


@dataclass(frozen=True, slots=True)
class Codec(Generic[T]):
    """How one sort key's value travels in a cursor: ``parse`` raises on a value it refuses."""

    parse: Callable[[Any], T]
    dump: Callable[[T], Any]


def _integer(raw: Any) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool):
        raise TypeError("not an integer")
    return raw


def _text(raw: Any) -> str:
    if not isinstance(raw, str):
        raise TypeError("not a string")
    return raw


OBJECT_ID: Codec[PydanticObjectId] = Codec(lambda raw: PydanticObjectId(str(raw)), str)
DATETIME: Codec[datetime] = Codec(lambda raw: datetime.fromisoformat(str(raw)), datetime.isoformat)
UUID_VALUE: Codec[UUID] = Codec(lambda raw: UUID(str(raw)), str)
INTEGER: Codec[int] = Codec(_integer, int)
TEXT: Codec[str] = Codec(_text, str)


@dataclass(frozen=True, slots=True)
class Key(Generic[F]):
    """One sort key: its name in the cursor, its field in the store, its attribute on an item."""

    name: str
    field: F
    attribute: str
    codec: Codec[Any]


def bounded(limit: int) -> int:
    """A page size between 1 and ``MAX_PAGE_SIZE``, whoever asks."""
    return max(1, min(limit, MAX_PAGE_SIZE))


class Keyset(Generic[F]):
    """An order over a store's items, and the cursors that stand for positions in it."""

    def __init__(self, *keys: Key[F], descending: bool = True) -> None:
        if not keys:
            raise ValueError("a keyset needs at least its tie-breaker")
        self.keys = keys
        self.descending = descending

    def position(self, cursor: str | None) -> list[Any] | None:
        """The key values ``cursor`` stands for (None for the first page); 400 if malformed."""
        raw = decode_cursor(cursor)
        if raw is None:
            return None
        try:
            return [key.codec.parse(raw.get(key.name)) for key in self.keys]
        except (InvalidId, TypeError, ValueError) as exc:
            raise _invalid() from exc

    def cursor_after(self, item: object) -> str:
        """The cursor of the position just past ``item``."""
        values = {key.name: key.codec.dump(getattr(item, key.attribute)) for key in self.keys}
        return encode_cursor(values)

    def cut(self, found: Sequence[T], limit: int) -> tuple[list[T], str | None]:
        """A page from ``found`` (read with one item more than ``limit``) and the next cursor."""
        page = list(found[:limit])
        more = len(found) > limit and bool(page)
        return page, self.cursor_after(page[-1]) if more else None


def mongo_key(name: str, field: str, codec: Codec[Any], attribute: str | None = None) -> Key[str]:
    """A key stored in the document ``field`` (and read from ``attribute``, by default the same)."""
    return Key(name, field, attribute or field, codec)


class MongoKeyset(Keyset[str]):
    """A keyset over a MongoDB collection, read through Beanie."""

    @property
    def sort(self) -> list[tuple[str, SortDirection]]:
        direction = SortDirection.DESCENDING if self.descending else SortDirection.ASCENDING
        return [(key.field, direction) for key in self.keys]

    def after(self, query: Mapping[str, Any], cursor: str | None) -> dict[str, Any]:
        """``query`` narrowed to the items past ``cursor`` (400 if it is malformed)."""
        position = self.position(cursor)
        if position is None:
            return dict(query)
        seek = self._seek(position)
        return {"$and": [dict(query), seek]} if query else seek

    async def page(
        self, document: type[D], query: Mapping[str, Any], cursor: str | None, limit: int
    ) -> tuple[list[D], str | None]:
        """One page of ``document`` matching ``query``, past ``cursor``, and the next cursor."""
        limit = bounded(limit)
        wanted = document.find(self.after(query, cursor)).sort(self.sort).limit(limit + 1)
        return self.cut(await wanted.to_list(), limit)

    def _seek(self, position: list[Any]) -> dict[str, Any]:
        beyond = "$lt" if self.descending else "$gt"
        branches = []
        for index, key in enumerate(self.keys):
            branch = {k.field: v for k, v in zip(self.keys[:index], position, strict=False)}
            branch[key.field] = {beyond: position[index]}
            branches.append(branch)
        return branches[0] if len(branches) == 1 else {"$or": branches}


# The order of most feeds: newest first by ObjectId (time-ordered and unique).
NEWEST_FIRST = MongoKeyset(mongo_key("id", "_id", OBJECT_ID, attribute="id"))


def sql_key(
    column: ColumnElement[Any], codec: Codec[Any], name: str | None = None
) -> Key[ColumnElement[Any]]:
    """A key on a mapped column, read from the attribute of the same name."""
    if not column.key:
        raise ValueError("a cursor key needs a named column")
    return Key(name or column.key, column, column.key, codec)


class SqlKeyset(Keyset[ColumnElement[Any]]):
    """A keyset over a SQL query that selects one entity (or one column)."""

    @property
    def order(self) -> list[ColumnElement[Any]]:
        return [key.field.desc() if self.descending else key.field.asc() for key in self.keys]

    def after(self, query: Select[Any], cursor: str | None) -> Select[Any]:
        """``query`` in this order, narrowed to the rows past ``cursor`` (400 if malformed)."""
        position = self.position(cursor)
        ordered = query.order_by(None).order_by(*self.order)
        return ordered if position is None else ordered.where(self._seek(position))

    async def page(
        self, session: AsyncSession, query: Select[Any], cursor: str | None, limit: int
    ) -> tuple[list[Any], str | None]:
        """One page of ``query``'s rows past ``cursor``, and the next cursor."""
        limit = bounded(limit)
        found = (await session.execute(self.after(query, cursor).limit(limit + 1))).scalars()
        return self.cut(list(found), limit)

    def _seek(self, position: list[Any]) -> ColumnElement[bool]:
        branches = []
        for index, key in enumerate(self.keys):
            same = [k.field == v for k, v in zip(self.keys[:index], position, strict=False)]
            value = position[index]
            beyond = key.field < value if self.descending else key.field > value
            branches.append(and_(*same, beyond))
        return or_(*branches)
