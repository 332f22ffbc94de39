"""Counting requests per minute in the process, and adding the counts to MongoDB every few seconds.

``observe`` is a few dictionary updates: it never waits and never raises, so counting cannot slow
or fail the request it counts. A background task (started in the lifespan) takes the counts and
adds them to the minute's and the day's rollup with one ``$inc`` upsert each. If MongoDB cannot be
reached, the counts are kept and tried again at the next flush (the minutes, then the days: a
flush refused halfway stores neither twice); once ``pending_minutes`` minutes are held,
requests of a further minute are dropped and counted
(``atrium_dashboard_requests_dropped_total``), and the next successful flush logs how many.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from pymongo import UpdateOne

from atrium.core.clock import utcnow
from atrium.core.dailycounts import day_of
from atrium.dashboard.documents import LATENCY_BUCKETS_MS, RequestDay, RequestMinute
from atrium.dashboard.metrics import REQUESTS_DROPPED, ROLLUP_FLUSHES
from atrium.dashboard.settings import DashboardSettings

log = structlog.get_logger(__name__)


@dataclass(slots=True)
class Tally:
    """One minute's requests in this process, not yet stored."""

    count: int = 0
    client_errors: int = 0
    server_errors: int = 0
    latency: dict[int, int] = field(default_factory=dict)

    def add(self, status: int, duration_ms: float) -> None:
        self.count += 1
        self.client_errors += 400 <= status < 500
        self.server_errors += status >= 500
        bucket = bisect.bisect_left(LATENCY_BUCKETS_MS, duration_ms)
        self.latency[bucket] = self.latency.get(bucket, 0) + 1

    def merge(self, other: Tally) -> None:
        self.count += other.count
        self.client_errors += other.client_errors
        self.server_errors += other.server_errors
        for bucket, count in other.latency.items():
            self.latency[bucket] = self.latency.get(bucket, 0) + count

    def increments(self) -> dict[str, int]:
        found = {
            "requests": self.count,
            "client_errors": self.client_errors,
            "server_errors": self.server_errors,
        }
        found.update({f"latency.{bucket}": n for bucket, n in self.latency.items()})
        return found


Store = Callable[[Sequence[UpdateOne], Sequence[UpdateOne]], Awaitable[None]]


async def mongo_store(minutes: Sequence[UpdateOne], days: Sequence[UpdateOne]) -> None:
    """Add to the minute rollups, then to the day rollups (Beanie's collections)."""
    if minutes:
        await RequestMinute.get_pymongo_collection().bulk_write(list(minutes), ordered=False)
    if days:
        await RequestDay.get_pymongo_collection().bulk_write(list(days), ordered=False)


def minute_of(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(second=0, microsecond=0)


def _upsert(key: str, at: datetime, tally: Tally, expires_at: datetime) -> UpdateOne:
    return UpdateOne(
        {"_id": key},
        {"$inc": tally.increments(), "$setOnInsert": {"at": at, "expires_at": expires_at}},
        upsert=True,
    )


def _by_day(minutes: dict[datetime, Tally], due: dict[datetime, Tally]) -> dict[datetime, Tally]:
    """The days' tallies: ``due`` (stored as minutes, not yet as days) plus ``minutes``."""
    days: dict[datetime, Tally] = {}
    for day, tally in due.items():
        days.setdefault(day, Tally()).merge(tally)
    for minute, tally in minutes.items():
        days.setdefault(day_of(minute), Tally()).merge(tally)
    return days


class RequestRollups:
    """This process's counts per minute, and the task that stores them."""

    def __init__(
        self,
        settings: DashboardSettings,
        store: Store = mongo_store,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.dropped = 0  # since the last report
        self.dropped_total = 0
        self._pending: dict[datetime, Tally] = {}
        # Days whose minutes are stored and which MongoDB refused: tried again at the next flush.
        self._days_due: dict[datetime, Tally] = {}
        self._task: asyncio.Task[None] | None = None
        self._stopping = asyncio.Event()

    @property
    def pending(self) -> int:
        """Requests counted and not yet stored."""
        return sum(tally.count for tally in self._pending.values())

    def observe(self, status: int, duration_ms: float) -> None:
        """Count one request (dropped and counted if too many minutes are held)."""
        minute = minute_of(self.clock())
        tally = self._pending.get(minute)
        if tally is None:
            if len(self._pending) >= self.settings.pending_minutes:
                self.dropped += 1
                self.dropped_total += 1
                REQUESTS_DROPPED.inc()
                return
            tally = self._pending[minute] = Tally()
        tally.add(status, duration_ms)

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="dashboard-rollups")

    async def stop(self, grace: float = 5.0) -> None:
        """Store what is counted (trying for up to ``grace`` seconds), then stop the task."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        done, _ = await asyncio.wait({task}, timeout=grace)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._pending or self._days_due:
            log.warning("dashboard_requests_unstored", count=self.pending)

    async def _run(self) -> None:
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.settings.flush_interval_seconds):
                    await self._stopping.wait()
            await self.flush()

    async def flush(self) -> bool:
        """Add the counts so far to MongoDB; False if it refused (the counts are kept).

        The minutes are stored first, then the days: if the days fail, only they are tried
        again, so no request is counted twice in either.
        """
        taken, self._pending = self._pending, {}
        due, self._days_due = self._days_due, {}
        days = _by_day(taken, due)
        if not days:
            return True
        try:
            if taken:
                await self.store(self._minute_updates(taken), [])
        except Exception as exc:
            self._failed(exc)
            self._put_back(taken)
            self._days_due = due
            return False
        try:
            await self.store([], self._day_updates(days))
        except Exception as exc:
            self._failed(exc)
            self._days_due = days
            return False
        ROLLUP_FLUSHES.labels("stored").inc()
        self._report_drops()
        return True

    def _failed(self, exc: Exception) -> None:
        ROLLUP_FLUSHES.labels("failed").inc()
        log.warning("dashboard_rollup_store_unavailable", error=repr(exc))

    def _minute_updates(self, taken: dict[datetime, Tally]) -> list[UpdateOne]:
        retention = timedelta(days=self.settings.rollup_retention_days)
        return [
            _upsert(minute.strftime("%Y-%m-%dT%H:%M"), minute, tally, minute + retention)
            for minute, tally in taken.items()
        ]

    def _day_updates(self, days: dict[datetime, Tally]) -> list[UpdateOne]:
        retention = timedelta(days=self.settings.rollup_retention_days)
        return [
            _upsert(day.date().isoformat(), day, tally, day + retention)
            for day, tally in days.items()
        ]

    def _updates(self, taken: dict[datetime, Tally]) -> tuple[list[UpdateOne], list[UpdateOne]]:
        """The minutes' and the days' upserts of ``taken`` (one flush's writes)."""
        return self._minute_updates(taken), self._day_updates(_by_day(taken, {}))

    def _put_back(self, taken: dict[datetime, Tally]) -> None:
        for minute, tally in taken.items():
            self._pending.setdefault(minute, Tally()).merge(tally)

    def _report_drops(self) -> None:
        if self.dropped:
            log.warning(
                f"{self.dropped} requests left out of the dashboard's rollups",
                event_name="dashboard_requests_dropped",
                count=self.dropped,
            )
            self.dropped = 0
