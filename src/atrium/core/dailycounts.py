"""Per-day counters kept at write time, in a small collection of the domain that owns the records.

A figure over a year of records (logins per day, runs per status) read by aggregating the records
themselves costs seconds once there are hundreds of thousands of them; the same figure read from
one small document per day and key costs milliseconds. So the owning domain adds to its counters
(one ``$inc`` upsert) when it writes a record, and can recompute them from the records
(``replace``) for data written before the counters existed.

Each domain declares its own collection (a subclass of ``DailyCount`` with its name), so no
domain reads another's; ``DailyCounters`` does the adding and the reading. A day is a UTC day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

import structlog
from beanie import Document
from pymongo import ASCENDING, IndexModel, UpdateOne

log = structlog.get_logger(__name__)

# Counters outlive the records they count (a login log kept 90 days, a year of daily figures).
DEFAULT_RETENTION = timedelta(days=400)

DAILY_INDEXES = [
    IndexModel([("day", ASCENDING)], sparse=True),
    IndexModel([("month", ASCENDING)], sparse=True),
    IndexModel([("member_day", ASCENDING)], sparse=True),
    IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
]


class DailyCount(Document):
    """One UTC day's counts (and summed amounts, e.g. bytes) per key (an outcome, a status, a
    type), or one month's distinct members. Subclasses name their collection and use
    ``DAILY_INDEXES``.

    One document per day, whatever the number of keys: a year is 365 small documents to read.
    Members (the users who logged in) are kept apart, per day and per month, so the counts stay
    small and the distinct members of a long range are read from a dozen month documents and
    the days at its edges.
    """

    id: str  # type: ignore[assignment]  # "2026-01-05", "members:2026-01-05", "month:2026-01"
    day: datetime | None = None  # a day's counts
    member_day: datetime | None = None  # a day's members
    month: datetime | None = None  # a month's members
    # Per key (escaped: ``field_name``): the count, and the summed amount.
    counts: dict[str, int] = {}
    amounts: dict[str, int] = {}
    members: list[str] = []
    expires_at: datetime


def day_of(at: datetime) -> datetime:
    """The UTC midnight starting ``at``'s day (naive instants are UTC)."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime.combine(at.date(), time(), UTC)


def month_of(at: datetime) -> datetime:
    return day_of(at).replace(day=1)


def _next_month(month: datetime) -> datetime:
    return (month + timedelta(days=32)).replace(day=1)


def field_name(key: str) -> str:
    """A key as a field name: MongoDB paths split at dots and refuse a leading ``$``."""
    return key.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def key_of(name: str) -> str:
    return name.replace("%24", "$").replace("%2E", ".").replace("%25", "%")


@dataclass(frozen=True, slots=True)
class Change:
    """What one write adds to a day's key (a negative count takes back an earlier one)."""

    at: datetime
    key: str
    count: int = 1
    amount: int = 0
    member: str | None = None


@dataclass(frozen=True, slots=True)
class DayTotal:
    day: datetime
    key: str
    count: int
    amount: int
    members: tuple[str, ...] = ()

    def with_members(self, members: tuple[str, ...]) -> DayTotal:
        return DayTotal(self.day, self.key, self.count, self.amount, members)


@dataclass(slots=True)
class _Day:
    counts: dict[str, int]
    amounts: dict[str, int]
    members: set[str]


class DailyCounters:
    """Adds to and reads one domain's ``DailyCount`` collection."""

    def __init__(self, model: type[DailyCount], retention: timedelta = DEFAULT_RETENTION) -> None:
        self.model = model
        self.retention = retention

    def _merged(self, changes: Iterable[Change]) -> dict[datetime, _Day]:
        days: dict[datetime, _Day] = {}
        for change in changes:  # one update per day, however many changes it has
            found = days.setdefault(day_of(change.at), _Day({}, {}, set()))
            name = field_name(change.key)
            found.counts[name] = found.counts.get(name, 0) + change.count
            found.amounts[name] = found.amounts.get(name, 0) + change.amount
            if change.member is not None:
                found.members.add(change.member)
        return days

    def _updates(self, changes: Iterable[Change]) -> list[UpdateOne]:
        updates: list[UpdateOne] = []
        months: dict[datetime, set[str]] = {}
        for day, found in self._merged(changes).items():
            inc = {f"counts.{name}": n for name, n in found.counts.items() if n}
            inc |= {f"amounts.{name}": n for name, n in found.amounts.items() if n}
            if inc:
                updates.append(self._upsert("day", day, day.date().isoformat(), inc, set()))
            if found.members:
                key = f"members:{day.date().isoformat()}"
                updates.append(self._upsert("member_day", day, key, {}, found.members))
                months.setdefault(month_of(day), set()).update(found.members)
        for month, members in months.items():
            key = f"month:{month.strftime('%Y-%m')}"
            updates.append(self._upsert("month", month, key, {}, members))
        return updates

    def _upsert(
        self, kind: str, at: datetime, key: str, inc: dict[str, int], members: set[str]
    ) -> UpdateOne:
        ends = _next_month(at) + self.retention if kind == "month" else at + self.retention
        update: dict[str, Any] = {"$setOnInsert": {kind: at, "expires_at": ends}}
        if inc:
            update["$inc"] = inc
        if members:
            update["$addToSet"] = {"members": {"$each": sorted(members)}}
        return UpdateOne({"_id": key}, update, upsert=True)

    async def add(self, changes: Iterable[Change]) -> None:
        """Apply the changes (concurrent writers add up: each is one ``$inc``)."""
        updates = self._updates(changes)
        if updates:
            await self.model.get_pymongo_collection().bulk_write(updates, ordered=False)

    async def add_quietly(self, changes: Iterable[Change]) -> None:
        """``add``, logging instead of raising: a counter never fails the write it follows."""
        try:
            await self.add(changes)
        except Exception:
            log.warning(
                "daily_counter_failed", collection=self.model.get_collection_name(), exc_info=True
            )

    async def read(self, start: datetime, end: datetime) -> list[DayTotal]:
        """Every key's total of each day from ``start``'s day up to (not including) ``end``."""
        query = {"day": {"$gte": day_of(start), "$lt": end}}
        found = self.model.get_pymongo_collection().find(query)
        totals: list[DayTotal] = []
        async for doc in found:
            day, amounts = doc["day"].astimezone(UTC), doc.get("amounts", {})
            for name, count in doc.get("counts", {}).items():
                totals.append(DayTotal(day, key_of(name), count, amounts.get(name, 0)))
        return totals

    async def members(self, start: datetime, end: datetime) -> set[str]:
        """The distinct members of the days from ``start``'s day up to ``end``: whole months
        from their month documents, the days at the edges from theirs."""
        start = day_of(start)
        first = start if start.day == 1 else _next_month(month_of(start))
        last = month_of(end)  # whole months are [first, last)
        if first < last:
            queries = [{"month": {"$gte": first, "$lt": last}}]
            edges = ((start, first), (last, end))
            queries += [{"member_day": {"$gte": a, "$lt": b}} for a, b in edges]
        else:
            queries = [{"member_day": {"$gte": start, "$lt": end}}]
        collection = self.model.get_pymongo_collection()
        found: set[str] = set()
        for query in queries:
            async for doc in collection.find(query, {"members": 1}):
                found.update(doc.get("members", ()))
        return found

    async def replace(self, totals: Sequence[DayTotal]) -> int:
        """Drop every counter and store ``totals`` instead (a rebuild from the records); the
        number of documents stored."""
        collection = self.model.get_pymongo_collection()
        await collection.delete_many({})
        changes = [Change(t.day, t.key, t.count, t.amount) for t in totals]
        changes += [Change(t.day, t.key, 0, 0, member) for t in totals for member in t.members]
        updates = self._updates(changes)
        for start in range(0, len(updates), 1000):
            await collection.bulk_write(updates[start : start + 1000], ordered=False)
        return len(updates)


async def totals_by_day(
    model: type[Document],
    at: str,
    key: Any,
    *,
    amount: Any = 0,
    member: str | None = None,
    match: dict[str, Any] | None = None,
) -> list[DayTotal]:
    """The records of ``model`` grouped by the UTC day of their field ``at`` and by ``key`` (an
    aggregation expression): what a rebuild stores. Slow on big collections: commands only."""
    group: dict[str, Any] = {
        "_id": {"day": {"$dateToString": {"format": "%Y-%m-%d", "date": f"${at}"}}, "key": key},
        "count": {"$sum": 1},
        "amount": {"$sum": amount},
    }
    if member is not None:
        group["members"] = {"$addToSet": f"${member}"}
    pipeline: list[dict[str, Any]] = [{"$match": match or {}}, {"$group": group}]
    cursor = await model.get_pymongo_collection().aggregate(pipeline)
    found: list[DayTotal] = []
    async for row in cursor:
        day = datetime.fromisoformat(row["_id"]["day"]).replace(tzinfo=UTC)
        members = tuple(str(m) for m in row.get("members", ()) if m is not None)
        found.append(DayTotal(day, str(row["_id"]["key"]), row["count"], row["amount"], members))
    return found
