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
    IndexModel([("day", ASCENDING), ("key", ASCENDING)]),
    IndexModel([("expires_at", ASCENDING)], expireAfterSeconds=0),
]


class DailyCount(Document):
    """One day's count (and summed amount, e.g. bytes) of one key (an outcome, a status, a type).

    Subclasses name their collection and use ``DAILY_INDEXES``.
    """

    id: str  # type: ignore[assignment]  # "<day>|<key>": one document per day and key
    day: datetime
    key: str
    number: int = 0  # (not ``count``: Beanie's documents have a ``count()``)
    amount: int = 0
    # Distinct members seen that day (the users who logged in), for counters that keep them.
    members: list[str] = []
    expires_at: datetime


def day_of(at: datetime) -> datetime:
    """The UTC midnight starting ``at``'s day (naive instants are UTC)."""
    at = at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)
    return datetime.combine(at.date(), time(), UTC)


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


class DailyCounters:
    """Adds to and reads one domain's ``DailyCount`` collection."""

    def __init__(self, model: type[DailyCount], retention: timedelta = DEFAULT_RETENTION) -> None:
        self.model = model
        self.retention = retention

    def _updates(self, changes: Iterable[Change]) -> list[UpdateOne]:
        merged: dict[tuple[datetime, str], list[Any]] = {}
        for change in changes:  # one update per day and key, however many changes it has
            count, amount, members = merged.setdefault((day_of(change.at), change.key), [0, 0, []])
            merged[(day_of(change.at), change.key)] = [
                count + change.count,
                amount + change.amount,
                [*members, change.member] if change.member is not None else members,
            ]
        return [
            self._update(day, key, count, amount, members)
            for (day, key), (count, amount, members) in merged.items()
            if count or amount or members
        ]

    def _update(
        self, day: datetime, key: str, count: int, amount: int, members: list[str]
    ) -> UpdateOne:
        update: dict[str, Any] = {
            "$inc": {"number": count, "amount": amount},
            "$setOnInsert": {"day": day, "key": key, "expires_at": day + self.retention},
        }
        if members:
            update["$addToSet"] = {"members": {"$each": sorted(set(members))}}
        return UpdateOne({"_id": f"{day.date().isoformat()}|{key}"}, update, upsert=True)

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
        return [
            DayTotal(
                doc["day"].replace(tzinfo=UTC),
                doc["key"],
                doc.get("number", 0),
                doc.get("amount", 0),
                tuple(doc.get("members", ())),
            )
            async for doc in found
        ]

    async def replace(self, totals: Sequence[DayTotal]) -> int:
        """Drop every counter and store ``totals`` instead (a rebuild from the records)."""
        collection = self.model.get_pymongo_collection()
        await collection.delete_many({})
        documents = [
            {
                "_id": f"{total.day.date().isoformat()}|{total.key}",
                "day": day_of(total.day),
                "key": total.key,
                "number": total.count,
                "amount": total.amount,
                "members": list(total.members),
                "expires_at": day_of(total.day) + self.retention,
            }
            for total in totals
        ]
        for start in range(0, len(documents), 1000):
            await collection.insert_many(documents[start : start + 1000])
        return len(documents)


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
