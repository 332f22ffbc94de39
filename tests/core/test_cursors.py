"""Cursor pages over MongoDB (Beanie) and SQL: every item once, in order, whatever changes
between pages; opaque, stable cursors; a malformed cursor is a 400 ``INVALID_CURSOR``."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import pytest
from beanie import Document, PydanticObjectId
from sqlalchemy import String, delete, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from atrium.config import MongoSettings, SQLSettings
from atrium.core.cursors import (
    DATETIME,
    INTEGER,
    NEWEST_FIRST,
    OBJECT_ID,
    TEXT,
    UUID_VALUE,
    Keyset,
    MongoKeyset,
    SqlKeyset,
    bounded,
    decode_cursor,
    encode_cursor,
    mongo_key,
    sql_key,
)
from atrium.core.db import Database, UTCDateTime
from atrium.core.errors import BadRequest
from atrium.core.ids import uuid7
from atrium.core.mongo import Mongo

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
# Seven items over four instants: ties that only the tie-breaker orders.
MINUTES = [0, 0, 1, 2, 2, 2, 3]


def _invalid(error: pytest.ExceptionInfo[BadRequest]) -> bool:
    return error.value.status_code == 400 and error.value.error_code == "INVALID_CURSOR"


# --- the cursor itself -------------------------------------------------------------------------


def test_a_cursor_is_unpadded_base64url_json_and_decodes_to_its_position() -> None:
    cursor = encode_cursor({"at": "2026-03-01T12:00:00+00:00", "id": "65f0a1b2c3d4e5f601234567"})
    assert "=" not in cursor
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert raw == b'{"at":"2026-03-01T12:00:00+00:00","id":"65f0a1b2c3d4e5f601234567"}'
    assert decode_cursor(cursor) == {
        "at": "2026-03-01T12:00:00+00:00",
        "id": "65f0a1b2c3d4e5f601234567",
    }
    assert decode_cursor(None) is None
    assert decode_cursor("") is None


@pytest.mark.parametrize(
    "cursor",
    ["!!", "not-a-cursor", "WzEsMl0", base64.urlsafe_b64encode(b"\xff\xfe").decode()],
)
def test_a_cursor_that_does_not_decode_is_invalid(cursor: str) -> None:
    # WzEsMl0 is [1,2]: JSON, but no position
    with pytest.raises(BadRequest) as error:
        decode_cursor(cursor)
    assert _invalid(error)


@pytest.mark.parametrize(
    "position",
    [{}, {"id": "nope"}, {"id": None}, {"id": 12}, {"at": "yesterday", "id": "0" * 24}],
)
def test_a_cursor_whose_values_do_not_parse_is_invalid(position: dict[str, Any]) -> None:
    keyset = MongoKeyset(mongo_key("at", "at", DATETIME), mongo_key("id", "_id", OBJECT_ID, "id"))
    if "at" not in position:
        keyset = NEWEST_FIRST
    with pytest.raises(BadRequest) as error:
        keyset.position(encode_cursor(position))
    assert _invalid(error)


def test_codecs_refuse_what_they_do_not_carry() -> None:
    keyset: Keyset[str] = Keyset(mongo_key("n", "n", INTEGER), mongo_key("s", "s", TEXT))
    assert keyset.position(encode_cursor({"n": 3, "s": "x"})) == [3, "x"]
    for bad in ({"n": True, "s": "x"}, {"n": "3", "s": "x"}, {"n": 3, "s": 4}):
        with pytest.raises(BadRequest):
            keyset.position(encode_cursor(bad))


def test_the_cursor_of_a_feed_item_is_the_one_clients_already_hold() -> None:
    class Item:
        id = PydanticObjectId("65f0a1b2c3d4e5f601234567")

    assert NEWEST_FIRST.cursor_after(Item()) == encode_cursor({"id": "65f0a1b2c3d4e5f601234567"})


def test_page_sizes_are_bounded_whoever_asks() -> None:
    assert [bounded(n) for n in (-5, 0, 1, 20, 100, 101, 10_000)] == [1, 1, 1, 20, 100, 100, 100]


# --- MongoDB, through Beanie -------------------------------------------------------------------


class Entry(Document):
    at: datetime
    kind: str

    class Settings:
        name = "cursor_entries"


BY_TIME = MongoKeyset(mongo_key("at", "at", DATETIME), mongo_key("id", "_id", OBJECT_ID, "id"))


@pytest.fixture
async def entries(services: dict[str, str]) -> AsyncIterator[list[Entry]]:
    """Seven entries in a fresh database, oldest first."""
    mongo = Mongo(MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"t_{uuid4().hex}"))
    await mongo.init_documents([Entry])
    made = [
        Entry(at=START + timedelta(minutes=m), kind="odd" if i % 2 else "even")
        for i, m in enumerate(MINUTES)
    ]
    for entry in made:
        await entry.insert()
    try:
        yield made
    finally:
        await mongo.client.drop_database(mongo.database.name)
        await mongo.close()


async def _walk(keyset: MongoKeyset, query: dict[str, Any], limit: int) -> list[Entry]:
    seen: list[Entry] = []
    cursor: str | None = None
    while True:
        page, cursor = await keyset.page(Entry, query, cursor, limit)
        assert len(page) <= limit
        seen.extend(page)
        if cursor is None:
            return seen


def _newest_first(entries: list[Entry]) -> list[PydanticObjectId | None]:
    return [e.id for e in sorted(entries, key=lambda e: (e.at, e.id), reverse=True)]


async def test_mongo_pages_return_every_item_once_newest_first(entries: list[Entry]) -> None:
    for limit in (1, 2, 3, 7, 50):
        walked = await _walk(BY_TIME, {}, limit)
        assert [e.id for e in walked] == _newest_first(entries)
    by_id = await _walk(NEWEST_FIRST, {}, 2)
    assert [e.id for e in by_id] == [e.id for e in reversed(entries)]


async def test_mongo_pages_keep_the_query_filter(entries: list[Entry]) -> None:
    walked = await _walk(BY_TIME, {"kind": "odd"}, 2)
    assert [e.id for e in walked] == _newest_first([e for e in entries if e.kind == "odd"])


async def test_a_mongo_cursor_is_a_position_not_an_offset(entries: list[Entry]) -> None:
    first, cursor = await BY_TIME.page(Entry, {}, None, 3)
    await Entry(at=START + timedelta(hours=1), kind="even").insert()  # newer: not in this walk
    await first[0].delete()  # already seen
    rest: list[Entry] = []
    while cursor is not None:
        page, cursor = await BY_TIME.page(Entry, {}, cursor, 3)
        rest.extend(page)
    assert [e.id for e in first + rest] == _newest_first(entries)


async def test_an_ascending_mongo_keyset_walks_oldest_first(entries: list[Entry]) -> None:
    oldest_first = MongoKeyset(*BY_TIME.keys, descending=False)
    walked = await _walk(oldest_first, {}, 2)
    assert [e.id for e in walked] == list(reversed(_newest_first(entries)))


async def test_a_malformed_cursor_is_refused_before_the_query(entries: list[Entry]) -> None:
    with pytest.raises(BadRequest) as error:
        await BY_TIME.page(Entry, {}, encode_cursor({"at": "soon", "id": "x"}), 2)
    assert _invalid(error)


# --- SQL, on both backends ---------------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "cursor_rows"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(10))


SQL_BY_TIME = SqlKeyset(
    sql_key(Row.__table__.c.at, DATETIME), sql_key(Row.__table__.c.id, UUID_VALUE)
)


@pytest.fixture
async def rows(sql_url: str) -> AsyncIterator[tuple[Database, list[dict[str, Any]]]]:
    """Seven rows in a table of the test's own, on SQLite and on PostgreSQL."""
    db = Database(SQLSettings(url=sql_url, pool_size=2))
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    made = [
        {"id": uuid7(), "at": START + timedelta(minutes=m), "kind": "odd" if i % 2 else "even"}
        for i, m in enumerate(MINUTES)
    ]
    async with db.session() as session:
        await session.execute(insert(Row), made)
    try:
        yield db, made
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await db.dispose()


async def _walk_sql(db: Database, keyset: SqlKeyset, query: Any, limit: int) -> list[UUID]:
    seen: list[UUID] = []
    cursor: str | None = None
    async with db.session() as session:
        while True:
            page, cursor = await keyset.page(session, query, cursor, limit)
            assert len(page) <= limit
            seen.extend(row.id for row in page)
            if cursor is None:
                return seen


def _sql_newest_first(made: list[dict[str, Any]]) -> list[UUID]:
    return [r["id"] for r in sorted(made, key=lambda r: (r["at"], r["id"]), reverse=True)]


async def test_sql_pages_return_every_row_once_newest_first(
    rows: tuple[Database, list[dict[str, Any]]],
) -> None:
    db, made = rows
    for limit in (1, 2, 3, 7, 50):
        assert await _walk_sql(db, SQL_BY_TIME, select(Row), limit) == _sql_newest_first(made)
    odd = select(Row).where(Row.kind == "odd").order_by(Row.kind)  # its own order is replaced
    expected = _sql_newest_first([r for r in made if r["kind"] == "odd"])
    assert await _walk_sql(db, SQL_BY_TIME, odd, 2) == expected


async def test_a_sql_cursor_is_a_position_not_an_offset(
    rows: tuple[Database, list[dict[str, Any]]],
) -> None:
    db, made = rows
    async with db.session() as session:
        first, cursor = await SQL_BY_TIME.page(session, select(Row), None, 3)
    async with db.session() as session:
        await session.execute(insert(Row), [{"id": uuid7(), "at": START, "kind": "new"}])
        await session.execute(delete(Row).where(Row.id == first[0].id))
    rest: list[UUID] = []
    async with db.session() as session:
        while cursor is not None:
            page, cursor = await SQL_BY_TIME.page(session, select(Row), cursor, 3)
            rest.extend(row.id for row in page)
    # The new row shares the oldest instant; a UUIDv7 made now sorts after the older ids, so it
    # lands before them in this newest-first walk: the rows already seen never come back.
    walked = [row.id for row in first] + rest
    assert len(set(walked)) == len(walked)
    assert [i for i in walked if i in {r["id"] for r in made}] == _sql_newest_first(made)


async def test_an_ascending_sql_keyset_walks_oldest_first(
    rows: tuple[Database, list[dict[str, Any]]],
) -> None:
    db, made = rows
    oldest_first = SqlKeyset(*SQL_BY_TIME.keys, descending=False)
    walked = await _walk_sql(db, oldest_first, select(Row), 2)
    assert walked == list(reversed(_sql_newest_first(made)))


async def test_a_malformed_sql_cursor_is_invalid(
    rows: tuple[Database, list[dict[str, Any]]],
) -> None:
    db, _ = rows
    async with db.session() as session:
        with pytest.raises(BadRequest) as error:
            await SQL_BY_TIME.page(session, select(Row), encode_cursor({"at": "x", "id": "y"}), 2)
    assert _invalid(error)
