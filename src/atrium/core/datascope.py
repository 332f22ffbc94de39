"""Data scope: which records a caller may reach, as one query filter for SQL and for MongoDB.

Workspace domains (to-dos in SQL, documents in MongoDB, a calendar) share one rule: a caller
reaches the records they **own**, the records **shared with** them (a user field naming them, or
a role field naming a role they hold), and, with the domain's capability (``todos:admin``...),
**all** records. A domain describes where its records keep that (``Ownership``), builds the
caller from the request (``Caller``: the user id, their role ids, whether they hold the
capability) and asks for the filter of one reach: a SQLAlchemy where-clause (``sql``) or a
Beanie filter dict (``mongo``). Fetching by id *through* the filter turns "outside the scope"
into "not found", so a route answers 404 before any 403 and a caller learns nothing of records
they cannot reach; no domain writes its own ownership check.

The fields are a record's attributes: on a SQL table each is one column holding a user id or a
role id (a link table is the domain's own join); in MongoDB a field may hold one id or a list of
them (``{"field": id}`` matches both).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement


class Reach(StrEnum):
    """How far a query reaches: the caller's own, the ones shared with them, or all they may."""

    OWN = "own"
    SHARED = "shared"
    # Everything the caller may see: own and shared, or every record with the capability.
    ALL = "all"


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks: their user id, the ids of their active roles (a disabled role shares nothing),
    and whether they hold the capability."""

    user_id: UUID
    role_ids: frozenset[UUID] = field(default_factory=frozenset)
    sees_all: bool = False

    @classmethod
    def of(cls, user_id: UUID, role_ids: Iterable[UUID] = (), *, sees_all: bool = False) -> Caller:
        return cls(user_id, frozenset(role_ids), sees_all)


@dataclass(frozen=True, slots=True)
class Ownership:
    """Where a record keeps who owns it and whom it is shared with (attribute names)."""

    owner: str
    user_shares: tuple[str, ...] = ()
    role_shares: tuple[str, ...] = ()

    def owns(self, record: object, caller: Caller) -> bool:
        """Whether ``caller`` owns ``record`` (an owner-only rule: delete, reassign)."""
        return bool(getattr(record, self.owner) == caller.user_id)

    def reaches(self, record: object, caller: Caller, reach: Reach = Reach.ALL) -> bool:
        """Whether ``record`` (already loaded) is within ``caller``'s ``reach``."""
        if reach is Reach.ALL and caller.sees_all:
            return True
        own = self.owns(record, caller)
        if reach is Reach.OWN:
            return own
        shared = not own and self._shared(record, caller)
        return shared if reach is Reach.SHARED else own or shared

    def _shared(self, record: object, caller: Caller) -> bool:
        users = any(caller.user_id in _ids(getattr(record, name)) for name in self.user_shares)
        roles = any(caller.role_ids & _ids(getattr(record, name)) for name in self.role_shares)
        return users or roles

    def sql(
        self, model: type[Any], caller: Caller, reach: Reach = Reach.ALL
    ) -> ColumnElement[bool]:
        """The where-clause of ``reach`` on ``model``'s table (SQLAlchemy, SQLModel)."""
        if reach is Reach.ALL and caller.sees_all:
            return sa.true()
        owner = _column(model, self.owner)
        own = owner == caller.user_id
        if reach is Reach.OWN:
            return own
        clauses = [_column(model, name) == caller.user_id for name in self.user_shares]
        if caller.role_ids:
            roles = list(caller.role_ids)
            clauses += [_column(model, name).in_(roles) for name in self.role_shares]
        shared = sa.or_(*clauses) if clauses else sa.false()
        if reach is Reach.SHARED:
            # NULL owner columns do not exist (the owner is required): ``!=`` is exact here.
            return sa.and_(shared, owner != caller.user_id)
        return sa.or_(own, shared)

    def mongo(self, caller: Caller, reach: Reach = Reach.ALL) -> dict[str, Any]:
        """The filter of ``reach`` for a Beanie ``find`` (``{}``: every document)."""
        if reach is Reach.ALL and caller.sees_all:
            return {}
        own = {self.owner: caller.user_id}
        if reach is Reach.OWN:
            return own
        clauses: list[dict[str, Any]] = [{name: caller.user_id} for name in self.user_shares]
        if caller.role_ids:
            roles = list(caller.role_ids)
            clauses += [{name: {"$in": roles}} for name in self.role_shares]
        if not clauses:
            return {"_id": {"$exists": False}}  # matches nothing: no field shares a record
        shared: dict[str, Any] = {"$or": clauses}
        if reach is Reach.SHARED:
            return {"$and": [shared, {self.owner: {"$ne": caller.user_id}}]}
        return {"$or": [own, *clauses]}


def _column(model: type[Any], name: str) -> ColumnElement[Any]:
    found: ColumnElement[Any] = getattr(model, name)
    return found


def _ids(value: object) -> set[UUID]:
    if value is None:
        return set()
    if isinstance(value, Collection) and not isinstance(value, str | bytes):
        return set(value)
    return {value} if isinstance(value, UUID) else set()
