"""Crontab fire times in an IANA timezone, correct across DST changes.

Fields are parsed by Celery's own ``crontab_parser`` (same syntax as ``celery.schedules.crontab``:
``*``, lists, ranges, steps, names). Day of week accepts 0-7, where 0 and 7 are both Sunday.
As in Celery, a day must match both the day-of-month and the day-of-week fields.

DST (wall-clock times in the schedule's timezone):

- a time that does not exist (the clock jumps forward over it) fires once, at the instant the
  jump ends (e.g. 02:30 on a spring-forward night in New York fires at 03:00 EDT);
- a time that happens twice (the clock falls back) fires once, at its first occurrence, unless
  the hour field is ``*`` (every hour): then it fires at both, so an "every 15 minutes" job keeps
  its real-time rhythm through the repeated hour.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import crontab_parser

MAX_YEARS = 10
_DAY = timedelta(days=1)


class CrontabError(ValueError):
    pass


def parse_field(spec: str, max_: int, min_: int = 0) -> frozenset[int]:
    try:
        values = crontab_parser(max_, min_).parse(str(spec).strip().lower())
    except (ValueError, crontab_parser.ParseException) as exc:
        raise CrontabError(str(exc)) from exc
    if not values:
        raise CrontabError(f"{spec!r} matches nothing")
    return frozenset(values)


def parse_day_of_week(spec: str) -> frozenset[int]:
    """0-6 from Sunday, with 7 also Sunday (cron's convention) and names (``mon-fri``)."""
    return frozenset(value % 7 for value in parse_field(spec, 8))


def zone(name: str) -> ZoneInfo:
    try:
        return _zone(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CrontabError(f"unknown timezone {name!r}") from exc


@lru_cache(maxsize=1024)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@dataclass(frozen=True, slots=True)
class Crontab:
    minutes: tuple[int, ...]
    hours: tuple[int, ...]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]  # 0 = Sunday
    tz: ZoneInfo
    every_hour: bool

    @classmethod
    def parse(
        cls, minute: str, hour: str, day_of_week: str, day_of_month: str, month: str, tz: str
    ) -> Crontab:
        hours = parse_field(hour, 24)
        return cls(
            minutes=tuple(sorted(parse_field(minute, 60))),
            hours=tuple(sorted(hours)),
            days_of_month=parse_field(day_of_month, 31, 1),
            months=parse_field(month, 12, 1),
            days_of_week=parse_day_of_week(day_of_week),
            tz=zone(tz),
            every_hour=len(hours) == 24,
        )

    def next_after(self, after: datetime) -> datetime | None:
        """The first fire time strictly after ``after`` (aware), in UTC; None if never."""
        after = after.astimezone(UTC)
        local = after.astimezone(self.tz)
        day = local.date()
        limit = day + _DAY * (366 * MAX_YEARS)
        while day <= limit:
            if day.month not in self.months:
                day = _first_of_next_month(day)
                continue
            if self._day_matches(day):
                found = self._on_day(day, after)
                if found is not None:
                    return found
            day += _DAY
        return None

    def _day_matches(self, day: date) -> bool:
        return day.day in self.days_of_month and (day.weekday() + 1) % 7 in self.days_of_week

    def _on_day(self, day: date, after: datetime) -> datetime | None:
        start = datetime(day.year, day.month, day.day, tzinfo=self.tz)
        end = start + _DAY
        if start.utcoffset() == end.utcoffset() and _offset_is_fixed(start, self.tz):
            return self._fast(day, after)
        return self._slow(day, after)

    def _fast(self, day: date, after: datetime) -> datetime | None:
        local = after.astimezone(self.tz)
        h0, m0 = (local.hour, local.minute) if local.date() == day else (-1, 59)
        for hour in self.hours[bisect.bisect_left(self.hours, max(h0, 0)) :]:
            first = bisect.bisect_right(self.minutes, m0) if hour == h0 else 0
            if first < len(self.minutes):
                wall = datetime(day.year, day.month, day.day, hour, self.minutes[first])
                return wall.replace(tzinfo=self.tz).astimezone(UTC)
        return None

    def _slow(self, day: date, after: datetime) -> datetime | None:
        instants: set[datetime] = set()
        for hour in self.hours:
            for minute in self.minutes:
                wall = datetime(day.year, day.month, day.day, hour, minute)
                instants.update(self._instants(wall))
        later = sorted(i for i in instants if i > after)
        return later[0] if later else None

    def _instants(self, wall: datetime) -> list[datetime]:
        first = wall.replace(tzinfo=self.tz, fold=0)
        second = wall.replace(tzinfo=self.tz, fold=1)
        if first.utcoffset() == second.utcoffset():
            return [first.astimezone(UTC)]
        if _exists(first):  # ambiguous: the clock falls back over it
            both = [first.astimezone(UTC), second.astimezone(UTC)]
            return both if self.every_hour else both[:1]
        return [_gap_end(wall, self.tz)]


def _exists(aware: datetime) -> bool:
    tz = aware.tzinfo
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == aware.replace(tzinfo=None)


def _gap_end(wall: datetime, tz: ZoneInfo) -> datetime:
    """The instant a forward jump ends, for a wall time inside the jump."""
    low = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)  # offset after: earlier instant
    high = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)  # offset before: later instant
    after_offset = wall.replace(tzinfo=tz, fold=1).utcoffset()
    lo, hi = int(low.timestamp()), int(high.timestamp())
    while lo < hi:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, UTC).astimezone(tz).utcoffset() == after_offset:
            hi = mid
        else:
            lo = mid + 1
    return datetime.fromtimestamp(lo, UTC)


def _offset_is_fixed(start: datetime, tz: ZoneInfo) -> bool:
    # Same offset at both midnights; also check midday (a day with two transitions is rare).
    noon = (start + timedelta(hours=12)).astimezone(UTC).astimezone(tz)
    return noon.utcoffset() == start.utcoffset()


def _first_of_next_month(day: date) -> date:
    return date(day.year + 1, 1, 1) if day.month == 12 else date(day.year, day.month + 1, 1)
