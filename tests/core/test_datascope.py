"""The data scope on both stores: the same cases (who asks, how far) give the same records on
SQL (a to-do table of the test's own, SQLite and PostgreSQL) and on MongoDB (a document model
of the test's own, whose share fields are lists, and the documents domain's records, shared
through viewer and editor fields), and the check of a loaded record
(``reaches``) agrees with both."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from uuid import UUID, uuid4

import pytest
from beanie import Document
from sqlalchemy import String, insert, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from atrium.config import MongoSettings, SQLSettings
from atrium.core.datascope import Caller, Ownership, Reach
from atrium.core.db import Database
from atrium.core.ids import uuid7
from atrium.core.mongo import Mongo
from atrium.documents.documents import DOCUMENT_SCOPE, DocumentRecord

ALICE, BOB, CAROL, DAVE, ADMIN = (uuid7() for _ in range(5))
TEAM = uuid7()
SCOPE = Ownership(owner="owner_id", user_shares=("shared_with",), role_shares=("role_id",))
# name: (owner, user shared with, role shared with)
RECORDS: dict[str, tuple[UUID, UUID | None, UUID | None]] = {
    "alice's": (ALICE, None, None),
    "bob's for alice": (BOB, ALICE, None),
    "bob's for the team": (BOB, None, TEAM),
    "carol's for bob": (CAROL, BOB, None),
    "alice's for herself": (ALICE, ALICE, TEAM),
}
EVERY = set(RECORDS)
# (caller, reach) -> the records it reaches
CASES: list[tuple[str, Caller, Reach, set[str]]] = [
    ("alice", Caller.of(ALICE, [TEAM]), Reach.OWN, {"alice's", "alice's for herself"}),
    ("alice", Caller.of(ALICE, [TEAM]), Reach.SHARED, {"bob's for alice", "bob's for the team"}),
    ("alice", Caller.of(ALICE, [TEAM]), Reach.ALL, EVERY - {"carol's for bob"}),
    ("alice without roles", Caller.of(ALICE), Reach.SHARED, {"bob's for alice"}),
    ("bob", Caller.of(BOB), Reach.OWN, {"bob's for alice", "bob's for the team"}),
    ("bob", Caller.of(BOB), Reach.SHARED, {"carol's for bob"}),
    (
        "bob",
        Caller.of(BOB),
        Reach.ALL,
        {"bob's for alice", "bob's for the team", "carol's for bob"},
    ),
    (
        "a team member",
        Caller.of(DAVE, [TEAM]),
        Reach.ALL,
        {"bob's for the team", "alice's for herself"},
    ),
    ("dave", Caller.of(DAVE, [uuid7()]), Reach.ALL, set()),
    ("an admin", Caller.of(ADMIN, sees_all=True), Reach.ALL, EVERY),
    ("an admin", Caller.of(ADMIN, sees_all=True), Reach.OWN, set()),
    ("an admin", Caller.of(ADMIN, sees_all=True), Reach.SHARED, set()),
    ("an admin who owns", Caller.of(CAROL, sees_all=True), Reach.OWN, {"carol's for bob"}),
]
IDS = [f"{who}-{reach}" for who, _, reach, _ in CASES]

Query = Callable[[Caller, Reach], Awaitable[set[str]]]
Fetch = Callable[[Caller, str], Awaitable[bool]]


# --- SQL: one column per share ---------------------------------------------------------------


class Base(DeclarativeBase):
    pass


class Row(Base):
    __tablename__ = "datascope_todos"

    id: Mapped[UUID] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(40))
    owner_id: Mapped[UUID]
    shared_with: Mapped[UUID | None]
    role_id: Mapped[UUID | None]


@pytest.fixture
async def sql_rows(sql_url: str) -> AsyncIterator[Database]:
    db = Database(SQLSettings(url=sql_url, pool_size=2))
    async with db.engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
    rows = [
        {"id": uuid7(), "title": title, "owner_id": owner, "shared_with": user, "role_id": role}
        for title, (owner, user, role) in RECORDS.items()
    ]
    async with db.session() as session:
        await session.execute(insert(Row), rows)
    try:
        yield db
    finally:
        async with db.engine.begin() as conn:
            await conn.run_sync(Base.metadata.drop_all)
        await db.dispose()


def sql_query(db: Database) -> Query:
    async def titles(caller: Caller, reach: Reach) -> set[str]:
        async with db.session() as session:
            found = await session.execute(select(Row).where(SCOPE.sql(Row, caller, reach)))
            rows = list(found.scalars())
            every = list((await session.execute(select(Row))).scalars())
        titles = {row.title for row in rows}
        assert titles == {row.title for row in every if SCOPE.reaches(row, caller, reach)}
        return titles

    return titles


def sql_fetch(db: Database) -> Fetch:
    async def fetch(caller: Caller, title: str) -> bool:
        async with db.session() as session:
            row_id = (await session.execute(select(Row.id).where(Row.title == title))).scalar()
            query = select(Row).where(Row.id == row_id, SCOPE.sql(Row, caller))
            return (await session.execute(query)).scalar() is not None

    return fetch


# --- MongoDB: share fields hold lists --------------------------------------------------------


class Note(Document):
    title: str
    owner_id: UUID
    shared_with: list[UUID] = []
    role_id: list[UUID] = []

    class Settings:
        name = "datascope_notes"


@pytest.fixture
async def mongo_notes(services: dict[str, str]) -> AsyncIterator[None]:
    mongo = Mongo(MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"t_{uuid4().hex}"))
    await mongo.init_documents([Note])
    for title, (owner, user, role) in RECORDS.items():
        shared, roles = [user] if user else [], [role] if role else []
        await Note(title=title, owner_id=owner, shared_with=shared, role_id=roles).insert()
    try:
        yield
    finally:
        await mongo.client.drop_database(mongo.database.name)
        await mongo.close()


async def mongo_titles(caller: Caller, reach: Reach) -> set[str]:
    notes = await Note.find(SCOPE.mongo(caller, reach)).to_list()
    titles = {note.title for note in notes}
    every = await Note.find_all().to_list()
    assert titles == {note.title for note in every if SCOPE.reaches(note, caller, reach)}
    return titles


# --- MongoDB: the documents domain's own records (viewer and editor lists) ------------------


@pytest.fixture
async def mongo_documents(services: dict[str, str]) -> AsyncIterator[None]:
    """The same records as documents, their shares spread over viewer and editor fields."""
    mongo = Mongo(MongoSettings(url=services["ATRIUM_MONGO__URL"], database=f"t_{uuid4().hex}"))
    await mongo.init_documents([DocumentRecord])
    for index, (title, (owner, user, role)) in enumerate(RECORDS.items()):
        users, roles = (
            ("viewer_ids", "viewer_role_ids") if index % 2 else ("editor_ids", "editor_role_ids")
        )
        shares = {users: [user] if user else [], roles: [role] if role else []}
        await DocumentRecord(title=title, owner_id=owner, **shares).insert()
    try:
        yield
    finally:
        await mongo.client.drop_database(mongo.database.name)
        await mongo.close()


async def document_titles(caller: Caller, reach: Reach) -> set[str]:
    found = await DocumentRecord.find(DOCUMENT_SCOPE.mongo(caller, reach)).to_list()
    every = await DocumentRecord.find_all().to_list()
    assert {doc.title for doc in found} == {
        doc.title for doc in every if DOCUMENT_SCOPE.reaches(doc, caller, reach)
    }
    return {doc.title for doc in found}


async def mongo_fetch(caller: Caller, title: str) -> bool:
    found = await Note.find_one({"title": title})
    assert found is not None
    return await Note.find_one({"_id": found.id}, SCOPE.mongo(caller)) is not None


# --- the same cases on both ------------------------------------------------------------------


async def check_fetch(fetch: Fetch) -> None:
    reached = {title: await fetch(Caller.of(BOB), title) for title in RECORDS}
    assert reached == {title: title in CASES[6][3] for title in RECORDS}
    assert all([await fetch(Caller.of(ADMIN, sees_all=True), title) for title in RECORDS])


CASE_PARAMETERS = pytest.mark.parametrize(("who", "caller", "reach", "expected"), CASES, ids=IDS)


@CASE_PARAMETERS
async def test_each_reach_finds_exactly_its_rows_in_sql(
    sql_rows: Database, who: str, caller: Caller, reach: Reach, expected: set[str]
) -> None:
    assert await sql_query(sql_rows)(caller, reach) == expected, who


@CASE_PARAMETERS
async def test_each_reach_finds_exactly_its_documents_in_mongo(
    mongo_notes: None, who: str, caller: Caller, reach: Reach, expected: set[str]
) -> None:
    assert await mongo_titles(caller, reach) == expected, who


@CASE_PARAMETERS
async def test_each_reach_finds_exactly_its_documents_of_the_documents_domain(
    mongo_documents: None, who: str, caller: Caller, reach: Reach, expected: set[str]
) -> None:
    assert await document_titles(caller, reach) == expected, who


async def test_a_sql_fetch_outside_the_scope_finds_nothing(sql_rows: Database) -> None:
    await check_fetch(sql_fetch(sql_rows))


async def test_a_mongo_fetch_outside_the_scope_finds_nothing(mongo_notes: None) -> None:
    await check_fetch(mongo_fetch)


def test_owning_is_the_owner_field_alone() -> None:
    record: Any = Row(id=uuid7(), title="x", owner_id=BOB, shared_with=ALICE, role_id=TEAM)
    assert SCOPE.owns(record, Caller.of(BOB))
    assert not SCOPE.owns(record, Caller.of(ALICE, [TEAM], sees_all=True))
    assert SCOPE.reaches(record, Caller.of(ALICE), Reach.SHARED)
    assert not SCOPE.reaches(record, Caller.of(CAROL))
