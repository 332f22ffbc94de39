"""The dashboard's rules: the days a range covers, and each figure from its owner's counters.

Every figure is read from small per-day counters (the request rollups here, the counters each
owning domain keeps as it writes), never by aggregating a year of raw records at request time.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from atrium.auth import stats as logins
from atrium.core.clock import utcnow
from atrium.core.dailycounts import DayTotal, day_of
from atrium.dashboard import repository
from atrium.dashboard.documents import LATENCY_BUCKETS_MS
from atrium.dashboard.errors import DashboardRangeInvalid, DashboardRangeTooLong
from atrium.dashboard.schemas import (
    DayRange,
    FileFigures,
    FileTypeRead,
    LoginDayRead,
    LoginFigures,
    NotificationDayRead,
    NotificationFigures,
    RangeRead,
    RequestDayRead,
    RequestFigures,
    RunFigures,
    UserFigures,
)
from atrium.dashboard.settings import DashboardSettings
from atrium.files import stats as files
from atrium.notifications import stats as notifications
from atrium.scheduler import stats as runs
from atrium.scheduler.documents import RunStatus
from atrium.users import repository as users


def _utc(at: datetime) -> datetime:
    return at.astimezone(UTC) if at.tzinfo else at.replace(tzinfo=UTC)


def day_range(
    settings: DashboardSettings, start: datetime | None, end: datetime | None
) -> DayRange:
    """The whole UTC days from ``start`` to ``end`` (default: the last ``default_range_days``)."""
    end = _utc(end) if end is not None else utcnow()
    start = _utc(start) if start is not None else end - timedelta(days=settings.default_range_days)
    if end <= start:
        raise DashboardRangeInvalid()
    last = day_of(end)
    last = last if last == end else last + timedelta(days=1)
    found = DayRange(day_of(start), last)
    if (found.end - found.start).days > settings.max_range_days:
        raise DashboardRangeTooLong(
            f"The range covers {(found.end - found.start).days} days; "
            f"at most {settings.max_range_days} may be asked."
        )
    return found


def _per_day(totals: Iterable[DayTotal]) -> dict[tuple[date, str], int]:
    found: dict[tuple[date, str], int] = defaultdict(int)
    for total in totals:
        found[(total.day.date(), total.key)] += total.count
    return found


async def user_figures(session: AsyncSession, found: DayRange) -> UserFigures:
    total, new = await users.counts(session, found.start, found.end)
    active = await logins.active_users(found.start, found.end)
    return UserFigures(range=RangeRead.of(found), total=total, new=new, active=active)


async def login_figures(found: DayRange) -> LoginFigures:
    counts = _per_day(await logins.logins(found.start, found.end))
    days = [
        LoginDayRead(day=day, successes=counts[(day, "success")], failures=counts[(day, "failure")])
        for day in found.days
    ]
    return LoginFigures(
        range=RangeRead.of(found),
        successes=sum(day.successes for day in days),
        failures=sum(day.failures for day in days),
        days=days,
    )


def p95(latency: dict[str, int]) -> float | None:
    """The upper bound of the bucket holding the 95th percentile (the last bound if beyond)."""
    total = sum(latency.values())
    if not total:
        return None
    wanted, seen = math.ceil(total * 0.95), 0
    for bucket in range(len(LATENCY_BUCKETS_MS) + 1):
        seen += latency.get(str(bucket), 0)
        if seen >= wanted:
            return float(LATENCY_BUCKETS_MS[min(bucket, len(LATENCY_BUCKETS_MS) - 1)])
    return float(LATENCY_BUCKETS_MS[-1])


def _request_day(day: date, rollup: dict[str, Any] | None) -> RequestDayRead:
    if rollup is None:
        return RequestDayRead(day=day, count=0, client_errors=0, server_errors=0, p95_ms=None)
    return RequestDayRead(
        day=day,
        count=rollup.get("requests", 0),
        client_errors=rollup.get("client_errors", 0),
        server_errors=rollup.get("server_errors", 0),
        p95_ms=p95(rollup.get("latency", {})),
    )


async def request_figures(found: DayRange) -> RequestFigures:
    stored = await repository.request_days(found.start, found.end)
    rollups = {_utc(rollup["at"]).date(): rollup for rollup in stored}
    summed: Counter[str] = Counter()
    for rollup in rollups.values():
        summed.update(rollup.get("latency", {}))
    days = [_request_day(day, rollups.get(day)) for day in found.days]
    return RequestFigures(
        range=RangeRead.of(found),
        count=sum(day.count for day in days),
        client_errors=sum(day.client_errors for day in days),
        server_errors=sum(day.server_errors for day in days),
        p95_ms=p95(dict(summed)),
        days=days,
    )


async def run_figures(found: DayRange) -> RunFigures:
    by_status = {status.value: 0 for status in RunStatus}
    for total in await runs.runs(found.start, found.end):
        by_status[total.key] = by_status.get(total.key, 0) + total.count
    return RunFigures(range=RangeRead.of(found), total=sum(by_status.values()), by_status=by_status)


async def file_figures(found: DayRange) -> FileFigures:
    counts: Counter[str] = Counter()
    sizes: Counter[str] = Counter()
    for total in await files.files(found.start, found.end):
        counts[total.key] += total.count
        sizes[total.key] += total.amount
    by_type = [
        FileTypeRead(content_type=kind, count=counts[kind], bytes=sizes[kind])
        for kind in sorted(counts, key=lambda kind: (-sizes[kind], kind))
        if counts[kind]
    ]
    return FileFigures(
        range=RangeRead.of(found),
        count=sum(kind.count for kind in by_type),
        bytes=sum(kind.bytes for kind in by_type),
        by_type=by_type,
    )


async def notification_figures(found: DayRange) -> NotificationFigures:
    totals = await notifications.notifications(found.start, found.end)
    per_day: Counter[date] = Counter()
    by_audience: Counter[str] = Counter()
    for total in totals:
        per_day[total.day.date()] += total.count
        by_audience[total.key] += total.count
    return NotificationFigures(
        range=RangeRead.of(found),
        count=sum(per_day.values()),
        by_audience=dict(by_audience),
        days=[NotificationDayRead(day=day, count=per_day[day]) for day in found.days],
    )
