"""Time zones, recurrence rules and the occurrences of an event within a range.

Occurrences are computed in the event's zone on local wall-clock times (dateutil's rrule over an
aware start in a ``zoneinfo`` zone keeps the wall-clock time and takes each date's own offset), so
a weekly 09:00 Europe/Berlin event is at 09:00 local before and after the March change, and one
hour apart in UTC. Expansion is bounded by the range asked for (and a cap on the count), so a rule
without COUNT or UNTIL is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from dateutil.rrule import rrule, rrulestr

from atrium.calendar.errors import RecurrenceInvalid, TimezoneInvalid, TooManyOccurrences
from atrium.calendar.models import CalendarEvent

# DAILY and coarser: finer rules would make even short ranges expand without end.
_RULE = re.compile(r"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[A-Za-z0-9,+\-]+)*$")
_COUNT = re.compile(r"(?:^|;)COUNT=(\d+)")
_UNTIL = re.compile(r"(?:^|;)UNTIL=")
_INTERVAL = re.compile(r"(?:^|;)INTERVAL=(\d+)")
MAX_COUNT = 1000
# dateutil walks a rule from its first occurrence: a walk longer than this (a dense rule asked
# about a range far from its start) is refused rather than left to run.
MAX_STEPS = 100_000
# How far ahead the end of an UNTIL rule is computed; past it, the series is taken as endless.
MAX_SERIES = 20_000


def zone(name: str) -> ZoneInfo:
    """The IANA zone ``name``, else 422 ``CALENDAR_TIMEZONE_INVALID``."""
    if name not in _zones():
        raise TimezoneInvalid()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise TimezoneInvalid() from error


_KNOWN: set[str] = set()


def _zones() -> set[str]:
    if not _KNOWN:
        _KNOWN.update(available_timezones())
    return _KNOWN


def normalise_rule(text: str) -> str:
    """The rule without an ``RRULE:`` prefix, upper case, checked for shape."""
    body = text.strip().removeprefix("RRULE:").removeprefix("rrule:").upper()
    interval = _INTERVAL.search(body)
    if not _RULE.match(body) or (interval and not 1 <= int(interval.group(1)) <= 1000):
        raise RecurrenceInvalid()
    return body


def parse_rule(text: str, first: datetime) -> rrule:
    """The rule starting at ``first`` (aware, in the event's zone), else a 422."""
    count = _COUNT.search(text)
    if count is not None and int(count.group(1)) > MAX_COUNT:
        raise RecurrenceInvalid()
    try:
        parsed = rrulestr(text, dtstart=first)
        if not isinstance(parsed, rrule) or next(iter(parsed), None) is None:
            raise RecurrenceInvalid()
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise RecurrenceInvalid() from error
    return parsed


def series_end(text: str, first: datetime, duration: timedelta) -> datetime | None:
    """The latest moment (UTC) any occurrence may end: None for a rule without COUNT or UNTIL."""
    rule = parse_rule(text, first)
    if _COUNT.search(text) is None and _UNTIL.search(text) is None:
        return None
    found = list(islice(rule, MAX_SERIES + 1))
    if len(found) > MAX_SERIES:
        return None  # so many that the range queries may as well treat it as endless
    return (found[-1] + duration).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One occurrence of an event: its start and end, aware in the event's zone."""

    event: CalendarEvent
    start: datetime
    end: datetime

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)


def localise(event: CalendarEvent, moment: datetime) -> datetime:
    """The local wall-clock ``moment`` (naive) of ``event``'s zone, made aware."""
    return moment.replace(tzinfo=zone(event.tz))


def _starts(event: CalendarEvent, after: datetime) -> Iterator[datetime]:
    first = localise(event, event.start_local)
    if event.rrule is None:
        yield first
        return
    for step, local in enumerate(parse_rule(event.rrule, first)):
        if step >= MAX_STEPS:
            raise TooManyOccurrences()
        if local >= after:
            yield local


def occurrences(
    event: CalendarEvent, start: datetime, end: datetime, limit: int
) -> list[Occurrence]:
    """The occurrences of ``event`` overlapping [``start``, ``end``) (aware), at most ``limit``
    + 1 (one more tells the caller there are too many), exceptions left out."""
    duration = event.end_local - event.start_local
    skipped = {datetime.fromisoformat(value) for value in event.exdates}
    found: list[Occurrence] = []
    for local in _starts(event, (start - duration - timedelta(days=1)).astimezone(UTC)):
        if local >= end or len(found) > limit:
            break
        wall_end = localise(event, local.replace(tzinfo=None) + duration)
        if wall_end > start and local.replace(tzinfo=None) not in skipped:
            found.append(Occurrence(event, local, wall_end))
    return found
